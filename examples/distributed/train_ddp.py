"""Step 2 of the distributed example: data-parallel training of an exported fastmlp network with
PyTorch's DistributedDataParallel (gloo backend, CPU). Every process loads the same initial weights
from the export, trains on its shard of the rows, and DDP averages the gradients at every step, so
all processes hold the same weights throughout; rank 0 writes them back for Network.importPyTorch.

One machine, N processes (spawned here with torch.multiprocessing):
    python3 train_ddp.py <folder> --processes 2
Several machines: start it with torchrun on each (it reads RANK, WORLD_SIZE, MASTER_ADDR and
MASTER_PORT from the environment torchrun sets), e.g. on 2 machines with 4 processes each:
    torchrun --nnodes 2 --nproc_per_node 4 --node_rank <0 or 1> \\
        --master_addr <machine 0's address> --master_port 29500 train_ddp.py <folder>
(the folder must hold the same files on every machine: prepare's output). torch 1.13's torchrun
fails on Python 3.11 and later (a bug of that release); there, start each process yourself with
RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set, e.g. RANK=1 WORLD_SIZE=2 ... python3 train_ddp.py <folder>.
"""
import argparse
import importlib.util
import json
import os
import socket

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def exported_module(path):
    """The Python file fastmlp's export wrote (build, load, save), imported from its path."""
    spec = importlib.util.spec_from_file_location("exported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_csv(path):
    rows = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32, ndmin=2)
    return torch.from_numpy(rows[:, :-1]), torch.from_numpy(rows[:, -1:])


def train(rank, world_size, args):
    torch.set_num_threads(1)  # one core per process: the processes are the parallelism
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    torch.manual_seed(args.seed)
    exported = exported_module(os.path.join(args.folder, "initial.py"))
    model = exported.load(os.path.join(args.folder, "initial.safetensors"))
    X, y = read_csv(os.path.join(args.folder, "train.csv"))
    if model.input_mean is not None:  # the network learns on standardized inputs, as in fastmlp
        X = (X - model.input_mean) / model.input_std
    rows = TensorDataset(X, y)
    sampler = DistributedSampler(rows, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(rows, batch_size=args.batch_size, sampler=sampler)
    net = DistributedDataParallel(model.net.train())
    optimizer = torch.optim.Adam(net.parameters(), lr=args.learning_rate)
    loss_function = torch.nn.BCELoss()  # the output is a probability (the export keeps the sigmoid)
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_function(net(xb), yb)
            loss.backward()  # DDP averages the gradients of all processes here
            optimizer.step()
    # every process must end with the same weights: compare their sums across processes
    total = torch.stack([p.detach().sum() for p in model.net.parameters()]).sum().reshape(1)
    totals = [torch.zeros(1) for _ in range(world_size)]
    dist.all_gather(totals, total)
    if rank == 0:
        model.eval()
        exported.save(model, os.path.join(args.folder, "trained.safetensors"))
        X_test, _ = read_csv(os.path.join(args.folder, "test.csv"))
        with torch.no_grad():
            outputs = model(X_test).tolist()  # raw inputs: the model applies fastmlp's scaling
        with open(os.path.join(args.folder, "pytorch-predictions.json"), "w") as f:
            json.dump(outputs, f)
        same = all(torch.equal(t, totals[0]) for t in totals)
        print(json.dumps({"processes": world_size, "rows_per_process": len(sampler), "same_weights": same, "loss": loss.item()}))
    dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="prepare.ts's output folder")
    parser.add_argument("--processes", type=int, default=2, help="processes on this machine (without torchrun)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=16, help="rows per process per step")
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:  # started by torchrun
        train(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), args)
    else:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", str(free_port()))
        mp.spawn(train, args=(args.processes, args), nprocs=args.processes)
