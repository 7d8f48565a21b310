#!/bin/sh
# Builds bench/sl_codec against the Starlink codec (protoc-c generates the
# dish's C into a temp dir) with -O2 and runs it on tests/data/starlink/;
# prints JSON. Usage: bench/sl_codec.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/autonomy-sl_codec.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
protoc-c --c_out="$tmp" -I"$root/src/starlink/proto" "$root/src/starlink/proto/dish.proto"
${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
	-D_GNU_SOURCE -I"$root/src" -I"$tmp" $(pkg-config --cflags json-c libprotobuf-c) \
	"$root/bench/sl_codec.c" "$tmp/dish.pb-c.c" \
	"$root/src/starlink/sl_pb.c" "$root/src/starlink/sl_pb_check.c" "$root/src/starlink/sl_conv.c" \
	"$root/src/starlink/sl_hist.c" "$root/src/starlink/sl_names.c" "$root/src/starlink/sl_text.c" \
	"$root/src/starlink/sl_frame.c" \
	$(pkg-config --libs libprotobuf-c) -lm -o "$tmp/sl_codec"
"$tmp/sl_codec" "$root/tests/data/starlink"
