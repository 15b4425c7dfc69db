"""Writes random files in the official EyeCrowd layout to ``dummy_data/``.

Run: python -m tfds_builders.eye_crowd.make_dummy_data
"""

import pathlib

import numpy as np
import scipy.io

from tfds_builders.core import dummy

N_IMAGES, N_SUBJECTS, HEIGHT, WIDTH = 3, 4, 24, 32


def _face(rng):
    left, top = rng.uniform(1.0, WIDTH - 8), rng.uniform(1.0, HEIGHT - 8)
    width, height = rng.uniform(2.0, 12.0), rng.uniform(2.0, 12.0)  # may extend past the border, as in the release
    flags = rng.integers(0, 2, 4).astype(np.uint8)
    return {
        "left": left, "top": top, "width": width, "height": height,
        "center": np.array([[int(left + width / 2), int(top + height / 2)]], np.uint16),
        "isFrontalFace": flags[0], "isProfileFace": flags[1], "isBackFace": flags[2], "isOccluded": flags[3],
    }


def main(out=pathlib.Path(__file__).parent / "dummy_data"):
    data = dummy.fresh_dir(out) / "data"
    rng = np.random.default_rng(0)
    fixations = np.empty((N_IMAGES, 1), dtype=object)
    labels = np.empty((N_IMAGES, 1), dtype=object)
    for i in range(N_IMAGES):
        name = f"{i + 1:03d}.jpg"
        dummy.save_image(data / "stimuli" / name, dummy.random_image(rng, HEIGHT, WIDTH), quality=95)
        subjects = np.empty((N_SUBJECTS, 1), dtype=object)
        for j in range(N_SUBJECTS):
            n = int(rng.integers(0, 5))  # the release has subjects without fixations on an image
            subjects[j, 0] = {
                "fix_x": np.round(rng.uniform(1.0, WIDTH, (1, n)), 1),
                "fix_y": np.round(rng.uniform(1.0, HEIGHT, (1, n)), 1),
                "fix_duration": rng.integers(20, 900, (1, n)).astype(np.uint16),
            }
        fixations[i, 0] = {"img": name, "subjects": subjects}
        n_faces = i + 1
        faces = np.empty((n_faces, 1), dtype=object)
        for k in range(n_faces):
            faces[k, 0] = _face(rng)
        labels[i, 0] = {"img": name, "nFaces": np.uint8(n_faces), "faces": faces}
    (data / "eye").mkdir()
    scipy.io.savemat(data / "eye" / "fixations.mat", {"fixations": fixations})
    scipy.io.savemat(data / "labels.mat", {"labels": labels})


if __name__ == "__main__":
    main()
