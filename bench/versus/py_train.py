"""The training competitors of the comparison: a hand-written numpy loop and PyTorch.

Called by bench/versus/suite.ts as `python3 py_train.py '<json>'`, with OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set to the thread count under test (unpinned, their BLAS
threads oversubscribe the cores). The JSON carries the contender, the architecture (archs.ts),
the data files the driver wrote (the rows fastmlp trains on), the epochs per timed call, the
sampling budget (FIT_SAMPLING in protocol.ts) and the thread count. Samples with the standard library's timeit (no margin of error: rme is reported as 0), then prints one line: the marker and
the trial's result (bench/versus/protocol.ts), with the loss check that proves it learned.
"""
import json
import statistics
import sys
import timeit

MARKER = "@@FASTMLP-BENCH@@"


def emit(result):
    print(MARKER + json.dumps(result))


def numpy_trainer(np, arch, X, y, threads):
    """Minibatch training in float32: the loop a numpy user writes, same init scale as fastmlp (He)."""
    rng = np.random.default_rng(1)
    sizes = [arch["inputs"], *arch["hidden"], arch["outputs"]]
    Ws = [(rng.standard_normal((a, b)) * np.sqrt(2.0 / a)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros(b, dtype=np.float32) for b in sizes[1:]]
    params = [*Ws, *bs]
    opt = arch["optimizer"]
    lr = np.float32(opt["learningRate"])
    adam = opt["name"] == "adam"
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step = [0]
    binary = arch["outputs"] == 1
    targets = y.reshape(-1, 1) if binary else np.eye(arch["outputs"], dtype=np.float32)[y.astype(np.int64)]
    n, batch = X.shape[0], arch["batch"]
    L = len(Ws)

    def update(grads):
        if not adam:
            for p, g in zip(params, grads):
                p -= lr * g
            return
        step[0] += 1
        t = step[0]
        c1, c2 = 1 - 0.9**t, 1 - 0.999**t
        for p, g, mi, vi in zip(params, grads, m, v):
            mi *= 0.9
            mi += 0.1 * g
            vi *= 0.999
            vi += 0.001 * g * g
            p -= lr * (mi / c1) / (np.sqrt(vi / c2) + 1e-8)

    def epoch():
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            xb, tb = X[idx], targets[idx]
            acts = [xb]
            for l in range(L):
                z = acts[-1] @ Ws[l] + bs[l]
                acts.append(np.maximum(z, 0) if l < L - 1 else z)
            z = acts[-1]
            if binary:
                p = 1 / (1 + np.exp(-z))
                total += float(-np.mean(tb * np.log(p + 1e-7) + (1 - tb) * np.log(1 - p + 1e-7))) * len(idx)
            else:
                z = z - z.max(axis=1, keepdims=True)
                e = np.exp(z)
                p = e / e.sum(axis=1, keepdims=True)
                total += float(-np.sum(tb * np.log(p + 1e-7)))
            dz = (p - tb) / np.float32(len(idx))  # softmax/sigmoid with their cross-entropy
            dWs, dbs = [None] * L, [None] * L
            for l in range(L - 1, -1, -1):
                dWs[l] = acts[l].T @ dz
                dbs[l] = dz.sum(axis=0)
                if l > 0:
                    dz = (dz @ Ws[l].T) * (acts[l] > 0)
            update([*dWs, *dbs])
        return total / n

    return epoch


def torch_trainer(torch, arch, X, y, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    sizes = [arch["inputs"], *arch["hidden"], arch["outputs"]]
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = arch["optimizer"]
    Opt = torch.optim.Adam if opt["name"] == "adam" else torch.optim.SGD
    optimizer = Opt(model.parameters(), lr=opt["learningRate"])
    binary = arch["outputs"] == 1
    Xt = torch.from_numpy(X)
    if binary:
        Yt = torch.from_numpy(y).reshape(-1, 1)
        loss_fn = torch.nn.BCEWithLogitsLoss()  # sigmoid + binary cross-entropy, as fastmlp's 'bce'
    else:
        Yt = torch.from_numpy(y).long()
        loss_fn = torch.nn.CrossEntropyLoss()  # softmax + cross-entropy, as fastmlp's
    n, batch = Xt.shape[0], arch["batch"]

    def epoch():
        order = torch.randperm(n)
        total = torch.zeros(())
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            xb, yb = Xt[idx], Yt[idx]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(idx)
        return float(total) / n

    return epoch


def main():
    spec = json.loads(sys.argv[1])
    contender, arch, threads = spec["contender"], spec["arch"], spec["threads"]
    try:
        import numpy as np

        module = np
        if contender == "torch":
            import torch

            module = torch
    except Exception as error:  # noqa: BLE001 - any import failure is a clean skip
        emit({"status": "skipped", "reason": f"not installed: {error}"})
        return
    try:
        data = spec["data"]
        X = np.fromfile(data["x"], dtype=np.float32).reshape(data["rows"], arch["inputs"])
        y = np.fromfile(data["y"], dtype=np.float32)
        make = torch_trainer if contender == "torch" else numpy_trainer
        epoch = make(module, arch, X, y, threads)
        epochs = spec["epochs"]
        losses = []

        def fit():
            for _ in range(epochs):
                losses.append(epoch())

        fit()  # warm-up (allocator, BLAS threads), and the first epoch's loss
        first = losses[0]
        one = timeit.timeit(fit, number=1)
        # FIT_SAMPLING (protocol.ts): at least min_samples timed calls, more until max_time seconds
        min_samples, max_time = spec["sampling"]["minSamples"], spec["sampling"]["maxTime"]
        repeat = max(min_samples, min(50, int(max_time / one)))
        times = [one, *timeit.repeat(fit, number=1, repeat=repeat - 1)]
        last = losses[-1]
        mean = statistics.fmean(times)
        fall = spec["lossMustFallTo"]
        passed = all(map(lambda v: v == v and abs(v) != float("inf"), [first, last])) and last <= first * fall
        check = {
            "passed": passed,
            "detail": f"training loss {first:.4g} (first epoch) -> {last:.4g} (last epoch): must fall to {fall}x or below",
        }
        info = {"version": module.__version__, "threads": threads}
        if contender == "torch":
            info["torch.get_num_threads"] = module.get_num_threads()
        rows = data["rows"]
        emit(
            {
                "status": "ok",
                "metrics": {"fit": {"value": rows * epochs / mean, "rme": 0, "samples": len(times)}},
                "check": check,
                "info": info,
            }
        )
    except Exception as error:  # noqa: BLE001 - reported as a failed trial
        emit({"status": "failed", "reason": f"{type(error).__name__}: {error}"})


if __name__ == "__main__":
    main()
