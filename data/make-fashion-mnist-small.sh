#!/usr/bin/env bash
# Rebuilds data/fashion-mnist-small, SharpTune's embedded default dataset, from Debian's dataset-fashion-mnist package
# (Fashion-MNIST, MIT licence, Zalando Research): the first 100 training and 50 test images of each class, in file
# order, as 28x28 grey PNG files in an ImageFolder tree. Deterministic: same input, same files.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src=/usr/share/datasets/fashion-mnist
if [ ! -d "$src" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist
fi
out="$root/data/fashion-mnist-small"
rm -rf "$out"
"$root/sharptune" data import-idx \
  --train-images "$src/train-images-idx3-ubyte.gz" --train-labels "$src/train-labels-idx1-ubyte.gz" \
  --test-images "$src/t10k-images-idx3-ubyte.gz" --test-labels "$src/t10k-labels-idx1-ubyte.gz" \
  --classes "T-shirt_top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle_boot" \
  --train-per-class 100 --test-per-class 50 --out "$out"
cat > "$out/SOURCE.txt" <<'TXT'
Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, Zalando Research), MIT licence.
Taken from Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist) by
data/make-fashion-mnist-small.sh: the first 100 training and 50 test images of each class, in file order;
file names are the images' indices in the original IDX files.
TXT
