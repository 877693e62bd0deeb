#!/usr/bin/env python3
# Start-up with a saved HNSW graph against start-up that rebuilds it (issue 10, persistence). Loads an fvecs corpus into
# a fresh database through the REST API, has the server build the graph (one hnsw search starts the index-build job),
# stops it with SIGTERM (the graph file is saved), then starts it again N times with the file and N times with the file
# damaged (one byte flipped, so it is refused and rebuilt). Each start is timed from process start until collection info
# says the hnsw index is ready. Usage:
#   docs/bench/hnsw_startup.py <server.dll> <corpus.fvecs> <work dir> [--repeat 3] [--port N (default: a free one)]
import argparse, json, os, shutil, socket, struct, subprocess, sys, time, urllib.request

def fvecs(path):
    data = open(path, 'rb').read()
    dim = struct.unpack_from('<i', data, 0)[0]
    step = 4 + 4 * dim
    return dim, [list(struct.unpack_from(f'<{dim}f', data, i + 4)) for i in range(0, len(data), step)]

def call(base, method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={'content-type': 'application/json'})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b'null')

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def start(dll, db, port):
    # Never talk to another process: the port must be free, and the server started here must still be running.
    with socket.socket() as probe:
        if probe.connect_ex(('127.0.0.1', port)) == 0:
            raise SystemExit(f'port {port} is already in use; pass another --port')
    t0 = time.monotonic()
    p = subprocess.Popen(['dotnet', dll, '--urls', f'http://127.0.0.1:{port}', '--Storage:Path', db],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=os.path.dirname(dll))
    base = f'http://127.0.0.1:{port}'
    while True:
        if p.poll() is not None:
            raise SystemExit(f'the server exited with {p.returncode} before it was ready')
        try:
            call(base, 'GET', '/health/ready')
            return p, base, t0
        except Exception:
            time.sleep(0.02)

def wait_ready(base):
    while True:
        info = call(base, 'GET', '/v1/collections/bench')
        states = [i['state'] for i in info['indexes'] if i['index'] == 'hnsw']
        if states and all(s == 'ready' for s in states):
            return
        time.sleep(0.02)

def stop(p):
    p.terminate()
    p.wait(timeout=600)

def main():
    a = argparse.ArgumentParser()
    a.add_argument('dll'); a.add_argument('corpus'); a.add_argument('work')
    a.add_argument('--repeat', type=int, default=3); a.add_argument('--port', type=int, default=0)
    o = a.parse_args()
    o.port = o.port or free_port()
    o.dll = os.path.abspath(o.dll)
    shutil.rmtree(o.work, ignore_errors=True); os.makedirs(o.work)
    db = os.path.join(o.work, 'startup.db')
    graph = os.path.join(db + '.indexes', 'bench', 'vec@v1.hnsw')
    dim, rows = fvecs(o.corpus)
    p, base, _ = start(o.dll, db, o.port)
    call(base, 'PUT', '/v1/models/vec/versions/v1', {'dimension': dim, 'metric': 'cosine'})
    call(base, 'PUT', '/v1/collections/bench', {'servingVersion': 'vec@v1', 'defaultIndex': 'hnsw'})
    for i in range(0, len(rows), 1000):
        call(base, 'POST', '/v1/collections/bench/items',
             {'items': [{'id': str(j), 'vectors': {'vec@v1': rows[j]}} for j in range(i, min(i + 1000, len(rows)))]})
    t = time.monotonic()
    call(base, 'POST', '/v1/collections/bench/search', {'vector': rows[0], 'k': 10})
    wait_ready(base)
    print(f'first build (running server): {time.monotonic() - t:.2f} s', flush=True)
    stop(p)
    good = open(graph, 'rb').read()
    print(f'graph file: {len(good):,} bytes, {len(rows):,} x {dim}', flush=True)
    for label, damage in (('loaded from file', False), ('file refused, rebuilt', True)):
        times = []
        for _ in range(o.repeat):
            data = bytearray(good)
            if damage:
                data[len(data) // 3] ^= 0x20
            open(graph, 'wb').write(data)
            p, base, t0 = start(o.dll, db, o.port)
            wait_ready(base)
            times.append(time.monotonic() - t0)
            stop(p)
        print(f'{label}: start to hnsw ready {min(times):.2f} s (best of {o.repeat}; all {", ".join(f"{x:.2f}" for x in times)})', flush=True)

if __name__ == '__main__':
    sys.exit(main())
