"""The gemm reference: numpy's matmul on float32 (OpenBLAS sgemm), run as a benchmark trial.

Called by bench/benchmark.ts as `python3 openblas_gemm.py '<json>'` with OPENBLAS_NUM_THREADS set;
the JSON carries the gemm cases and the timing budget. Checks C against float64 on sampled
entries before timing, then prints one line: the marker and the JSON outcomes (bench/types.ts).
"""
import json
import sys
import time

MARKER = "@@FASTMLP-BENCH@@"


def main():
    spec = json.loads(sys.argv[1])
    try:
        import numpy as np
    except Exception as error:  # noqa: BLE001 - any import failure is a clean skip
        reason = f"not installed: numpy ({error})"
        print(MARKER + json.dumps({c["id"]: {"status": "skipped", "reason": reason} for c in spec["cases"]}))
        return
    budget = spec["budget"]
    out = {}
    for case in spec["cases"]:
        try:
            out[case["id"]] = run_case(np, case["params"], budget)
        except Exception as error:  # noqa: BLE001 - reported as a failed trial
            out[case["id"]] = {"status": "failed", "reason": str(error)}
    print(MARKER + json.dumps(out))


def run_case(np, p, budget):
    m, n, k, ta, tb = p["m"], p["n"], p["k"], p["transA"], p["transB"]
    rng = np.random.default_rng(1)
    A = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    B = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
    opA = A.T if ta else A  # transposed views: numpy hands sgemm the flag, no copy
    opB = B.T if tb else B
    C = np.empty((m, n), dtype=np.float32)
    np.matmul(opA, opB, out=C)
    picks = rng.integers(0, m * n, size=min(256, m * n))
    rows, cols = picks // n, picks % n
    A64, B64 = opA.astype(np.float64), opB.astype(np.float64)
    ref = np.einsum("ij,ji->i", A64[rows, :], B64[:, cols])
    mag = np.einsum("ij,ji->i", np.abs(A64[rows, :]), np.abs(B64[:, cols]))
    worst = float(np.max(np.abs(C[rows, cols] - ref) / np.maximum(mag, 1e-30)))
    check = {"passed": worst <= 1e-4, "detail": f"{len(picks)} entries vs float64, max rel err {worst:.1e}"}
    if not check["passed"]:
        return {"status": "failed", "reason": "wrong result: " + check["detail"]}

    def call():
        np.matmul(opA, opB, out=C)

    gflop = 2 * m * n * k / 1e9
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < budget["warmup"] or calls < budget["warmupCalls"]:
        call()
        calls += 1
    t0 = time.perf_counter()
    call()
    one = max(time.perf_counter() - t0, 1e-9)
    per_sample = max(1, round(budget["sample"] / one))
    values = []
    begin = time.perf_counter()
    while len(values) < budget["maxSamples"]:
        s = time.perf_counter()
        for _ in range(per_sample):
            call()
        values.append(gflop / ((time.perf_counter() - s) / per_sample))
        if len(values) >= budget["minSamples"] and time.perf_counter() - begin >= budget["total"]:
            break
    info = {"numpy": np.__version__, "includes": "np.matmul(out=C)"}
    return {"status": "ok", "values": values, "check": check, "info": info}


if __name__ == "__main__":
    main()
