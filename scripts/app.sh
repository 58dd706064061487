#!/usr/bin/env bash
# Builds the app's wasm in parts and puts it into the page Trunk is building
# (Trunk runs this as its post_build hook, Trunk.toml). Trunk 0.21 cannot
# split a wasm, so this does what its Rust step would, with a cut between
# compiling and wasm-bindgen:
#   1. cargo builds the app, keeping the linker's relocations
#      (.cargo/config.toml);
#   2. wasm-split-cli moves each function marked #[wasm_split(<part>)], and
#      the code only it reaches, into a wasm of its own that the app fetches
#      the first time one of them is called (src/ui/later.rs);
#   3. wasm-bindgen writes the JS glue of what is left; wasm-opt shrinks each
#      wasm;
#   4. all of it goes into app/<content hash>/ of the page, so an open tab
#      never fetches a part of a newer build, and index.html gets the
#      script that starts the app, a preload of the first load, and the
#      list of the parts in a meta: the page fetches a part only when used,
#      while the service worker keeps every part listed, for offline.
set -euo pipefail
cd "$(dirname "$0")/.."
staging=${TRUNK_STAGING_DIR:?run by trunk build (its post_build hook)}

if [ "${TRUNK_PROFILE:-debug}" = release ]; then
  cargo build --release --target wasm32-unknown-unknown --bin courier
  built=target/wasm32-unknown-unknown/release/courier.wasm
else
  cargo build --target wasm32-unknown-unknown --bin courier
  built=target/wasm32-unknown-unknown/debug/courier.wasm
fi

work=target/app-parts
rm -rf "$work"
mkdir -p "$work/split" "$work/out"
wasm-split-cli "$built" "$work/split" --out-name courier
# The parts reach the main wasm's function table through the exports the
# linker made, which wasm-bindgen drops unless told to keep them.
wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir "$work/out" "$work/split/courier.wasm"
cp "$work/split/__wasm_split.js" "$work/out/"
for part in "$work/split"/*.wasm; do
  [ "$(basename "$part")" = courier.wasm ] || cp "$part" "$work/out/"
done
if [ "${TRUNK_PROFILE:-debug}" = release ]; then
  for wasm in "$work/out"/*.wasm; do
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types \
      --enable-multivalue "$wasm" -o "$wasm"
  done
fi

hash=$(cat "$work/out"/* | sha256sum | cut -c1-16)
dir="app/$hash"
mkdir -p "$staging/$dir"
cp "$work/out"/* "$staging/$dir/"

tags="<link rel=\"modulepreload\" href=\"/$dir/courier.js\" />"
tags+="<link rel=\"modulepreload\" href=\"/$dir/__wasm_split.js\" />"
tags+="<link rel=\"preload\" href=\"/$dir/courier_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"\" />"
# The parts loaded on first use are named in a meta, not linked: they are no
# part of the first load, and the service worker keeps them from this list.
parts=""
for part in "$work/out"/*.wasm; do
  name=$(basename "$part")
  [ "$name" = courier_bg.wasm ] && continue
  parts+="${parts:+ }/$dir/$name"
done
tags+="<meta name=\"courier-parts\" content=\"$parts\" />"
# "courier-started" hands the wasm's exports (its memory) to bench/browser.mjs.
tags+="<script type=\"module\">import start from \"/$dir/courier.js\"; start({ module_or_path: \"/$dir/courier_bg.wasm\" }).then((wasm) => dispatchEvent(new CustomEvent(\"courier-started\", { detail: { wasm } })));</script>"
# The tags go just before </head>, in place of Trunk's skipped Rust link; a
# `|` cannot occur in them.
sed -i -e 's|<link data-trunk rel="rust"[^>]*>||' -e "s|</head>|$tags</head>|" "$staging/index.html"
