"""The load's plots as PNG files: throughput and latency percentiles over time (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

from conformance.load.figures import Series


def render(series: Series, cpu_samples: list[tuple[float, float]], output: Path) -> dict[str, Path]:
    """Write throughput.png and latency.png into `output`; returns {name: path}. Nothing when there is no series.

    `cpu_samples` are (epoch seconds, share of one core) of the emulator process.
    """
    if not series.seconds:
        return {}
    import matplotlib

    matplotlib.use("Agg")  # files only; never a window
    import matplotlib.pyplot as plt

    paths = {}
    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=110)
    ax.plot(series.seconds, series.requests, label="requests/s", color="#1565c0")
    ax.plot(series.seconds, series.likes, label="likes acknowledged/s", color="#2e7d32")
    if any(series.failures):
        ax.plot(series.seconds, series.failures, label="failed requests/s", color="#c62828")
    ax.set_xlabel("seconds into the load")
    ax.set_ylabel("per second")
    ax.grid(alpha=0.3)
    if cpu_samples:
        # The server's CPU beside its throughput: a flat rate at one core means the server is the limit.
        share = ax.twinx()
        share.plot([t - series.start for t, _ in cpu_samples], [100 * s for _, s in cpu_samples], label="emulator CPU % of a core", color="#ef8f00", linestyle="--")
        share.set_ylabel("emulator CPU (% of one core)")
        share.set_ylim(0, 110)
        lines = ax.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
        ax.legend(lines, [line.get_label() for line in lines], loc="lower center", fontsize=8, ncol=4)
    else:
        ax.legend(loc="lower center", fontsize=8, ncol=3)
    ax.set_title("Throughput")
    fig.tight_layout()
    paths["throughput"] = output / "throughput.png"
    fig.savefig(paths["throughput"])
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=110)
    for values, label, colour in ((series.p50_ms, "p50", "#2e7d32"), (series.p95_ms, "p95", "#ef8f00"), (series.p99_ms, "p99", "#c62828")):
        ax.plot(series.seconds, values, label=label, color=colour)
    ax.set_yscale("log")
    ax.set_xlabel("seconds into the load")
    ax.set_ylabel("latency (ms, log scale)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("Latency percentiles per second")
    fig.tight_layout()
    paths["latency"] = output / "latency.png"
    fig.savefig(paths["latency"])
    plt.close(fig)
    return paths
