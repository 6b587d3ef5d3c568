"""The physical anchor of scripts/bench/gpu-training.sh (issue 22): the toy's network trained by
PyTorch on CUDA, the same shapes as the tfjs ensemble (K members 1 → 64 → 64 → 64 → 2, swish,
Adam, weighted squared error) on as many events in batches of the same size. Prints one JSON
line: events/s counted as the tfjs trainer counts them (events × epochs / seconds)."""
import argparse
import json
import time

import torch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32768)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--hidden", type=str, default="64,64,64")
    parser.add_argument("--outputs", type=int, default=2)
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(0)
    hidden = [int(h) for h in args.hidden.split(",")]

    def member() -> torch.nn.Module:
        layers, width = [], 1
        for h in hidden:
            layers += [torch.nn.Linear(width, h), torch.nn.SiLU()]
            width = h
        layers.append(torch.nn.Linear(width, args.outputs))
        return torch.nn.Sequential(*layers)

    members = torch.nn.ModuleList(member() for _ in range(args.members)).to(device)
    optimizer = torch.optim.Adam(members.parameters(), lr=3e-3)
    x = torch.randn(args.events, 1, device=device)
    y = torch.randn(args.events, args.outputs, device=device)
    w = torch.rand(args.events, device=device)

    def epoch() -> None:
        order = torch.randperm(args.events, device=device)
        for start in range(0, args.events, args.batch):
            idx = order[start : start + args.batch]
            xb, yb, wb = x[idx], y[idx], w[idx]
            loss = sum(((m(xb) - yb) ** 2).sum(1).mul(wb).mean() for m in members)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

    epoch()  # warm-up: kernels compiled, memory pooled
    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(args.epochs):
        epoch()
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    print(json.dumps({
        "backend": f"pytorch {torch.__version__} {device.type}",
        "adapter": torch.cuda.get_device_name(0) if device.type == "cuda" else None,
        "events": args.events, "epochs": args.epochs, "members": args.members, "batchSize": args.batch,
        "trainingSeconds": round(seconds, 2), "eventsPerSecond": round(args.events * args.epochs / seconds),
    }))


if __name__ == "__main__":
    main()
