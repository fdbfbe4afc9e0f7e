#!/usr/bin/env bash
# Rebuilds NotoSansSC-duban.otf, the chart font, from Debian's Noto Sans CJK (package fonts-noto-cjk).
#
#   src/render/fonts/build-font.sh [SETUP.yaml …]        (default: examples/sample-county.yaml)
#
# The subset holds: ASCII, Latin-1, common punctuation and symbols, CJK punctuation, full-width
# forms, all of GB2312 (symbols and 6,763 hanzi), the characters in extra-chars.txt, and every
# character of each setup file given (its township, village and person names and task titles).
# Counties whose names use a character outside these: add it to extra-chars.txt, or pass their
# setup file, and rerun. The same inputs give the same bytes.
#
# Needs python3 with fontTools (Debian: python3-fonttools). Environment:
#   SOURCE_TTC  the collection (default /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc)
#   FACE        its face number for Simplified Chinese (default 2: JP 0, KR 1, SC 2, TC 3, HK 4)
#   PYTHON      a python3 that can import fontTools (default: python3, else /usr/bin/python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
source_ttc="${SOURCE_TTC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
face="${FACE:-2}"
out="$here/NotoSansSC-duban.otf"

python="${PYTHON:-python3}"
if ! "$python" -c 'import fontTools' 2>/dev/null; then
  # Debian's python3-fonttools installs into the system python, which a pyenv shim may hide.
  python=/usr/bin/python3
fi
if ! "$python" -c 'import fontTools' 2>/dev/null; then
  echo "build-font.sh: needs python3 with fontTools (apt-get install python3-fonttools)" >&2
  exit 1
fi
if [ ! -f "$source_ttc" ]; then
  echo "build-font.sh: no $source_ttc (apt-get install fonts-noto-cjk, or set SOURCE_TTC)" >&2
  exit 1
fi

if [ "$#" -eq 0 ]; then
  set -- "$root/examples/sample-county.yaml"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The code points, one hex number per line, sorted: every EUC-CN double byte A1A1–F7FE decoded
# as GB2312 and as GB18030 (which reads a few cells differently, e.g. A1A4 as U+00B7 not U+30FB,
# and fills some empty symbol cells: ⅰ–ⅹ, €, pinyin ḿ ń ň ǹ ɑ ɡ, vertical punctuation), then
# extra-chars.txt, then every non-ASCII character of the setup files.
"$python" - "$source_ttc" "$face" "$here/extra-chars.txt" "$@" >"$work/unicodes.txt" <<'PY'
import sys
import unicodedata
from fontTools.ttLib import TTFont

source, face, extras, *setups = sys.argv[1:]
family = TTFont(source, fontNumber=int(face), lazy=True)['name'].getDebugName(1)
if family != 'Noto Sans CJK SC':
    sys.exit(f'build-font.sh: face {face} of {source} is {family!r}, not Noto Sans CJK SC; set FACE')

chars = set()
for lead in range(0xA1, 0xF8):
    for trail in range(0xA1, 0xFF):
        for codec in ('gb2312', 'gb18030'):
            try:
                char = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            # GB18030 maps GB2312's empty cells to the Private Use Area: nothing to keep there.
            if unicodedata.category(char) != 'Co':
                chars.add(char)

with open(extras, encoding='utf-8') as f:
    for line in f:
        if not line.startswith('#'):
            chars.update(c for c in line if not c.isspace())

for path in setups:
    with open(path, encoding='utf-8-sig') as f:
        chars.update(c for c in f.read() if ord(c) >= 0x80)

# Controls and format characters (variation selectors, zero-width joiners) have no glyph to keep.
chars = {c for c in chars if unicodedata.category(c) not in ('Cc', 'Cf', 'Mn', 'Zs', 'Zl', 'Zp')}
for c in sorted(chars):
    print('%04X' % ord(c))
PY

# ASCII, Latin-1, pinyin ḿ, dashes, quotes, ‰ ′ ″, ℃ №, Roman numerals, ①–⑳, CJK punctuation,
# vertical and compatibility forms, full-width forms. (ḿ and FE10–FE19 are GB18030 A8BC, A6D9–A6DF
# and A6EC–A6F5 in the WHATWG decoder Node uses, but Private Use in python's older table.)
symbols='20-7E,A0-FF,1E3F,2010-2027,2030-2033,2103,2116,2160-216B,2170-2179,2460-2473,3000-303F,FE10-FE19,FE30-FE4F,FF01-FF5E,FFE0-FFE6'

# resvg shapes horizontal text only and reads no hints: dropping hinting, vertical metrics and
# layout features keeps every glyph's outline and advance at under half the size.
"$python" -m fontTools.subset "$source_ttc" \
  --font-number="$face" \
  --unicodes="$symbols" \
  --unicodes-file="$work/unicodes.txt" \
  --layout-features='' \
  --no-hinting \
  --drop-tables+=VORG,vhea,vmtx \
  --name-IDs=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14 \
  --output-file="$out"

"$python" - "$out" <<'PY'
import os
import sys
from fontTools.ttLib import TTFont

path = sys.argv[1]
font = TTFont(path)
print(f'{os.path.basename(path)}: {os.path.getsize(path):,} bytes, '
      f'{font["maxp"].numGlyphs:,} glyphs, {len(font.getBestCmap()):,} characters')
PY
