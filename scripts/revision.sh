#!/bin/sh
# revision.sh - print the revision this tree is, for `ringledger --version`
# (the Makefile passes it as -DRL_REVISION):
#   - `git describe --always --dirty` when the tree is a git checkout (its
#     own top level, not a directory inside some other repository);
#   - else the REVISION file: `git archive` fills it in (.gitattributes,
#     export-subst) and `make deb` writes it into the tree it exports;
#   - else "unknown".
top=$(cd "$(dirname "$0")/.." && pwd -P)
if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ] &&
   rev=$(git -C "$top" describe --always --dirty 2>/dev/null) && [ -n "$rev" ]; then
	echo "$rev"
	exit 0
fi
rev=$(tr -cd 'A-Za-z0-9._+-' < "$top/REVISION" 2>/dev/null)
case $rev in
"" | Format*) echo unknown ;;	# an unexpanded $Format:...$ placeholder
*) echo "$rev" ;;
esac
