"""Simulator benchmark: 1,000 env-sensor/1 devices in one process, one state per second each.

Measures, on a Mosquitto started for the run (amqtt if Mosquitto is missing):

* messages/s of ``state`` arriving at the broker, counted by a separate subscriber
  process (bare paho) over a measurement window after all devices are connected;
* the simulator process's peak RSS and CPU use (user + system over the window);

and prints them beside the floor: the same connections (one per device, with a Last
Will) and the same message schedule driven by bare paho-mqtt clients in one select
loop (no asyncio, no devid), run in the same way right after.

    python benchmarks/bench_simulator.py            # 1,000 devices, 20 s window
    python benchmarks/bench_simulator.py --smoke    # 20 devices, 2 s window
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _usage() -> tuple[float, float]:
    t = os.times()
    return t.user + t.system, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# -- child: the devid simulator ---------------------------------------------------------------


def role_sim(url: str, count: int, warmup: float, window: float,
             interval: float) -> dict[str, float]:
    import asyncio

    from devid._mqtt import MqttSettings
    from simulator import Fleet

    async def main() -> dict[str, float]:
        t0 = time.time()
        fleet = Fleet("env-sensor/1", url, count=count, interval=interval, seed=1,
                      mdns_interface=None, settings=MqttSettings())
        await fleet.start()
        started = time.time() - t0
        await asyncio.sleep(warmup)
        cpu0, _ = _usage()
        w0 = time.time()
        await asyncio.sleep(window)
        w1 = time.time()
        cpu1, rss = _usage()
        await fleet.stop()
        return {"start_s": started, "w0": w0, "w1": w1, "cpu": (cpu1 - cpu0) / (w1 - w0),
                "rss_mb": rss}

    return asyncio.run(main())


# -- child: the floor, bare paho clients in one select loop ------------------------------------


def role_paho(url: str, count: int, warmup: float, window: float,
              interval: float) -> dict[str, float]:
    import random
    import selectors

    import cbor2
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    from devid._mqtt import parse_url

    addr = parse_url(url)
    sel = selectors.DefaultSelector()
    clients = []
    rng = random.Random(1)
    t0 = time.time()
    for i in range(count):
        c = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"floor-{i}",
                        protocol=paho.MQTTv311)
        c.will_set(f"devid/1/floor-{i}/status", cbor2.dumps({"state": "offline", "ts": 0}), 1,
                   True)
        c.connect(addr.host, addr.port, 60)
        sock = c.socket()
        assert sock is not None
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ, c)
        clients.append(c)
    # wait for every CONNACK
    while not all(c.is_connected() for c in clients):
        for key, _ in sel.select(0.05):
            key.data.loop_read()
        for c in clients:
            if c.want_write():
                c.loop_write()
    started = time.time() - t0
    phases = [rng.random() for _ in clients]
    seqs = [0] * count
    temps = [rng.uniform(19, 24) for _ in clients]
    next_at = [time.monotonic() + p * interval for p in phases]
    end_warm = time.monotonic() + warmup
    w0 = w1 = 0.0
    cpu0 = 0.0
    last_misc = time.monotonic()
    measuring = False
    while True:
        now = time.monotonic()
        if not measuring and now >= end_warm:
            measuring, cpu0, w0 = True, _usage()[0], time.time()
        if measuring and now >= end_warm + window:
            w1 = time.time()
            break
        for i, c in enumerate(clients):
            if now >= next_at[i]:
                next_at[i] += interval
                seqs[i] += 1
                temps[i] = min(85.0, max(-40.0, temps[i] + rng.gauss(0, 0.5)))
                payload = cbor2.dumps({"ts": int(time.time() * 1000), "seq": seqs[i],
                                       "props": {"temperature": round(temps[i], 2),
                                                 "humidity": 45.0}}, canonical=True)
                c.publish(f"devid/1/floor-{i}/state", payload, qos=1, retain=True)
                if c.want_write():
                    c.loop_write()
        for key, _ in sel.select(0.01):
            key.data.loop_read()
        if now - last_misc >= 1.0:
            last_misc = now
            for c in clients:
                c.loop_misc()
    cpu1, rss = _usage()
    for c in clients:
        c.disconnect()
        c.loop_write()
    return {"start_s": started, "w0": w0, "w1": w1, "cpu": (cpu1 - cpu0) / (w1 - w0),
            "rss_mb": rss}


# -- child: the subscriber that counts arrivals -------------------------------------------------


def role_sub(url: str) -> None:
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    from devid._mqtt import parse_url

    addr = parse_url(url)
    buckets: dict[int, int] = {}

    def on_message(_c: object, _u: object, msg: paho.MQTTMessage) -> None:
        if msg.topic.endswith("/state"):
            second = int(time.time() * 10)  # 100 ms buckets
            buckets[second] = buckets.get(second, 0) + 1

    def on_connect(c: paho.Client, *_a: object) -> None:
        c.subscribe("devid/1/#", 0)
        print("ready", flush=True)

    def stop(*_a: object) -> None:
        client.disconnect()

    client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv311)
    client.on_message = on_message
    client.on_connect = on_connect
    signal.signal(signal.SIGTERM, stop)
    client.connect(addr.host, addr.port, 60)
    client.loop_forever()
    print(json.dumps(buckets), flush=True)


# -- orchestration ----------------------------------------------------------------------------


def _child(role: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, "--role", role, *args],
                            stdout=subprocess.PIPE, text=True)


def _measure(role: str, url: str, count: int, warmup: float, window: float,
             interval: float) -> dict[str, float]:
    sub = _child("sub", "--url", url)
    assert sub.stdout is not None
    assert sub.stdout.readline().strip() == "ready"
    proc = _child(role, "--url", url, "--count", str(count), "--warmup", str(warmup),
                  "--window", str(window), "--interval", str(interval))
    out, _ = proc.communicate(timeout=warmup + window + 300)
    if proc.returncode != 0:
        raise SystemExit(f"{role} child failed ({proc.returncode})")
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    sub.send_signal(signal.SIGTERM)
    sub_out, _ = sub.communicate(timeout=30)
    buckets = {int(k): v for k, v in json.loads(sub_out.strip().splitlines()[-1]).items()}
    lo, hi = int(result["w0"] * 10), int(result["w1"] * 10)
    arrived = sum(v for k, v in buckets.items() if lo <= k < hi)
    result["rate"] = arrived / ((hi - lo) / 10.0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="20 devices, a 2 s window")
    parser.add_argument("--count", type=int)
    parser.add_argument("--window", type=float)
    parser.add_argument("--warmup", type=float, default=None)
    parser.add_argument("--interval", type=float, default=1.0,
                        help="seconds between states of a device (default 1)")
    parser.add_argument("--role", choices=["sim", "paho", "sub"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.role == "sub":
        role_sub(args.url)
        return
    if args.role in ("sim", "paho"):
        fn = role_sim if args.role == "sim" else role_paho
        print(json.dumps(fn(args.url, args.count, args.warmup, args.window, args.interval)),
              flush=True)
        return

    count = args.count or (20 if args.smoke else 1000)
    window = args.window or (2.0 if args.smoke else 20.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.smoke else 3.0)
    from devid._broker import broker

    with broker() as running:
        sim = _measure("sim", running.url, count, warmup, window, args.interval)
        floor = _measure("paho", running.url, count, warmup, window, args.interval)
    expected = count / args.interval
    print(f"simulator benchmark: {count} env-sensor/1 devices, one state every "
          f"{args.interval:g} s each, "
          f"{window:g} s window, broker {running.engine}")
    print(f"{'':28}{'devid simulator':>18}{'floor (bare paho)':>20}")
    print(f"{'state messages/s at broker':28}{sim['rate']:>18.0f}{floor['rate']:>20.0f}"
          f"   (schedule: {expected:.0f}/s)")
    print(f"{'peak RSS (MB)':28}{sim['rss_mb']:>18.1f}{floor['rss_mb']:>20.1f}")
    print(f"{'CPU (cores, user+system)':28}{sim['cpu']:>18.2f}{floor['cpu']:>20.2f}")
    print(f"{'time to connect all (s)':28}{sim['start_s']:>18.2f}{floor['start_s']:>20.2f}")
    if not args.smoke and args.interval == 1.0:
        ok = sim["rss_mb"] <= 300 and sim["rate"] >= 800
        print(f"target (RSS <= 300 MB, >= 800 msgs/s): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
