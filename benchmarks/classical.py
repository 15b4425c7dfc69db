"""ms/image of the classical models at 600x800 (H x W). Usage: python benchmarks/classical.py [--repeats N]"""

import argparse
import platform
import time

import numpy as np

from keras_saliency import classical


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    image = np.random.default_rng(0).integers(0, 256, (600, 800, 3)).astype(np.uint8)
    print(f"# Classical models, ms/image at 600x800 (best of {args.repeats}; {platform.processor() or platform.machine()})\n")
    print("| model | ms/image |\n|---|---|")
    for name in classical.MODELS:
        model = classical.get(name)
        model.predict_saliency_map(image[None])[0]  # warm-up
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            model.predict_saliency_map(image[None])[0]
            times.append(time.perf_counter() - start)
        print(f"| {name} | {1000 * min(times):.1f} |")


if __name__ == "__main__":
    main()
