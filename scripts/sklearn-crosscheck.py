#!/usr/bin/python3
"""Cross-check of our moons generator against scikit-learn, as seed 003 does: train sklearn's
MLPClassifier with the settings that match the tutorial's hand-written network and print its train
accuracy. A manual tool, not run by the tests.

    apt-get install -y python3-sklearn            # Debian's package; use /usr/bin/python3
    /usr/bin/python3 scripts/sklearn-crosscheck.py                 # generates moons(1000, noise 0.2)
    /usr/bin/python3 scripts/sklearn-crosscheck.py moons.csv       # or reads rows "x0,x1,label"
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import make_moons
from sklearn.neural_network import MLPClassifier

ROOT = Path(__file__).resolve().parent.parent

# tsx --eval runs as CommonJS, so the ESM module is reached through a dynamic import
GENERATE = (
    "import('./lib/data/index.ts').then(({ moons }) => {"
    " const d = moons({ samples: 1000, noise: 0.2, seed: 0 });"
    " console.log(d.X.map((r, i) => [...r, d.y[i]].join(',')).join('\\n')); })"
)


def load(argv):
    """Rows of our generator: from a CSV path if given, else generated through tsx in the project."""
    if len(argv) > 1:
        text = Path(argv[1]).read_text()
        source = argv[1]
    else:
        text = subprocess.run(
            ["npx", "tsx", "--eval", GENERATE], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        source = "fastmlp moons({ samples: 1000, noise: 0.2, seed: 0 })"
    data = np.loadtxt(text.strip().splitlines(), delimiter=",", ndmin=2)
    if data.shape[1] != 3:
        sys.exit(f"expected rows of x0,x1,label but found {data.shape[1]} columns in {source}")
    return data[:, :2], data[:, 2].astype(int), source


def train_accuracy(X, y):
    # seed 003's "settings that match what we did manually": 16 relu units, full-batch plain SGD,
    # learning rate 1, no momentum, no L2 penalty, 1000 epochs
    model = MLPClassifier(
        hidden_layer_sizes=(16,),
        solver="sgd",
        learning_rate_init=1.0,
        momentum=0.0,
        alpha=0.0,
        batch_size=len(X),
        max_iter=1000,
        random_state=99,
    )
    model.fit(X, y)
    return model.score(X, y)


def main():
    X, y, source = load(sys.argv)
    print(f"{source}: {len(X)} rows, labels {np.bincount(y).tolist()}")
    print(f"  sklearn MLPClassifier train accuracy: {train_accuracy(X, y):.3f}")
    # the same check on sklearn's own make_moons with the same size and noise, for comparison
    Xs, ys = make_moons(n_samples=len(X), noise=0.2, random_state=0)
    print(f"sklearn make_moons({len(X)}, noise=0.2): train accuracy {train_accuracy(Xs, ys):.3f}")


if __name__ == "__main__":
    main()
