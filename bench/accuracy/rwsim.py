#!/usr/bin/env python3
"""rwsim.py - an event simulation of samples/rwlock (4 readers, 40 reads, 4
writes, a writer-preferring rwlock, every sleep overshooting by a fixed
OVERSHOOT_US, 60 by default) that writes the wcprof dump the program would
record on a machine with nothing else running. For checking the replay of
readers and writers when the machine is too loaded for the real program to
be measured to 5 points (bench/accuracy/README.md).

  rwsim.py OUT.dump [LOOKUP USE RELOAD [OVERSHOOT_US]]

LOOKUP USE RELOAD: the factors of read.lookup, read.use, config.reload (as
--scale). Prints the makespan in ms: the truth a what-if of the unscaled
dump predicts."""
import heapq, json, sys

out = sys.argv[1]
sc = [float(x) for x in sys.argv[2:5]] if len(sys.argv) > 4 else [1, 1, 1]
OV = int(float(sys.argv[5]) * 1000) if len(sys.argv) > 5 else 60000
NR, NREADS, NW = 4, 40, 4

X = (1 << 16) | 0x330E  # srand48(1)
def drand48():
    global X
    X = (0x5DEECE66D * X + 0xB) % (1 << 48)
    return X / float(1 << 48)
use = [300 + int(drand48() * 400) for _ in range(NR * NREADS)]

def sl(us, f):  # nanosleep of us*f, with the overshoot
    ns = int(us * 1000 * f)
    return ns + OV if ns > 0 else 0

strings = ["", "rwlock.serve", "writer", "reader", "config.lock", "shared", "read.lookup", "read.use", "config.reload"]
ev = []
nid = [1000]
def newid():
    nid[0] += 1
    return nid[0]
def op(k, i, p, c, s, d, th, ident=None):
    e = {"e": "op", "k": k, "id": i, "p": p, "c": c, "s": s, "d": d, "th": th}
    if p is None: del e["p"]
    if ident: e["i"] = ident
    ev.append(e)

# lock state
holding_r = 0; holding_w = False; wq = None; rq = []
heap = []; seq = [0]
def at(t, fn, *a):
    seq[0] += 1
    heapq.heappush(heap, (t, seq[0], fn, a))

class R: pass
readers = []
def r_arrive(t, r):
    global holding_r
    r.arr = t
    if not holding_w and wq is None:
        r_acquire(t, r, waited=False)
    else:
        rq.append(r)
def r_acquire(t, r, waited):
    global holding_r
    holding_r += 1
    if waited:
        ev.append({"e": "wait", "rs": "lock", "p": r.id, "i": 4, "s": r.arr, "d": t, "th": r.th})
    r.hs = t
    at(t + sl(500, sc[0]), r_release, r)
def r_release(t, r):
    global holding_r
    holding_r -= 1
    h = newid(); l = newid()
    op("hold", h, r.id, 4, r.hs, t, r.th, 5)
    op("exec", l, h, 6, r.hs, t, r.th)
    if holding_r == 0 and wq is not None:
        w_acquire(t, waited=True)
    u = use[r.k * NREADS + r.n]
    d = sl(u, sc[1])
    if d:
        op("exec", newid(), r.id, 7, t, t + d, r.th)
    r.n += 1
    at(t + d, r_next, r)
def r_next(t, r):
    if r.n < NREADS:
        r_arrive(t, r)
    else:
        r.end = t
        op("call", r.id, 1, 3, r.start, t, r.th)

W = R(); W.id = 2; W.th = 200; W.n = 0
def w_next(t):
    if W.n == NW:
        W.end = t
        op("call", W.id, 1, 2, W.start, t, W.th)
        return
    at(t + sl(8000, 1), w_arrive)
def w_arrive(t):
    global wq
    W.arr = t
    if holding_r == 0 and not holding_w:
        w_acquire(t, waited=False)
    else:
        wq = W
def w_acquire(t, waited):
    global holding_w, wq
    wq = None
    holding_w = True
    if waited:
        ev.append({"e": "wait", "rs": "lock", "p": W.id, "i": 4, "s": W.arr, "d": t, "th": W.th})
    W.hs = t
    at(t + sl(6000, sc[2]), w_release)
def w_release(t):
    global holding_w, rq
    holding_w = False
    h = newid(); x = newid()
    op("hold", h, W.id, 4, W.hs, t, W.th)
    op("io", x, h, 8, W.hs, t, W.th)
    W.n += 1
    q, rq = rq, []
    for r in q:
        r_acquire(t, r, waited=True)
    w_next(t)

T0 = 1000000
W.start = T0 + 30000
at(W.start, lambda t: w_next(t))
for k in range(NR):
    r = R(); r.k = k; r.n = 0; r.id = 100 + k; r.th = 300 + k; r.start = T0 + 60000 + 30000 * k
    readers.append(r)
    at(r.start, r_arrive, r)
while heap:
    t, _, fn, a = heapq.heappop(heap)
    fn(t, *a)
end = max([W.end] + [r.end for r in readers]) + 20000
op("session_phase", 1, None, 1, T0, end, 100)
hdr = {"schema_version": 1, "epoch_unix_nano": 1700000000000000000 + int(sum(sc) * 1000) + OV, "dumped_unix_nano": 1700000000000000000 + end + 1, "dropped_events": 0, "event_count": len(ev), "strings": strings}
with open(out, "w") as f:
    f.write(json.dumps(hdr, separators=(",", ":")) + "\n")
    for e in ev:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
print("%.3f" % ((end - T0) / 1e6))
