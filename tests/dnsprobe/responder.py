#!/usr/bin/python3
"""A misbehaving DNS server for the dnsprobe tests (loopback only).

usage: responder.py ADDR PORT ALTPORT SILENTPORT [FLAGDIR]

The first label of the query name picks the behaviour:
  refused, nxdomain, servfail   that rcode, no answers
  empty                         NOERROR, no answers
  tc                            udp: TC set, no answers; tcp: the A record
  wrongid                       only an answer with another ID
  wrongq                        only an answer to another name
  wrongtype                     only an answer with another type
  wrongport                     only an answer sent from ALTPORT
  notqr                         only a "response" with QR clear
  wrongopcode                   only an answer with opcode NOTIFY, not QUERY
  garbage                       only 5 random octets
  decoys                        all of the wrong ones above, then the right one
  loop                          right header and question, answer owner is a
                                compression pointer loop
  slow                          the right answer after 300 ms
  dropfirst                     ignores the first query for each exact name
  flag.NAME                     the A record while FLAGDIR/NAME exists, else
                                SERVFAIL (lets watch tests flip a target)
  silent                        nothing
  flood                         tcp: answers with another ID, without end
                                (until the client closes, at most 30 s)
  anything else                 NOERROR with A 192.0.2.53 (AAAA 2001:db8::53)
SILENTPORT has a udp socket that never reads and a tcp listener that never
accepts. Every query is logged on stdout, one line each.
"""
import os
import socket
import struct
import sys
import threading
import time

ADDR, PORT, ALTPORT, SILENTPORT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
FLAGDIR = sys.argv[5] if len(sys.argv) > 5 else None
lock = threading.Lock()
seen = set()


def log(msg):
    with lock:
        print(msg, flush=True)


def parse_query(q):
    qid, flags, qd, an, ns, ar = struct.unpack('!6H', q[:12])
    pos, labels = 12, []
    while q[pos]:
        n = q[pos]
        labels.append(q[pos + 1:pos + 1 + n])
        pos += 1 + n
    qname_wire = q[12:pos + 1]
    qtype, qclass = struct.unpack('!HH', q[pos + 1:pos + 5])
    pos += 5
    edns, do = 0, 0
    if ar and len(q) >= pos + 11 and q[pos] == 0 and struct.unpack('!H', q[pos + 1:pos + 3])[0] == 41:
        edns = struct.unpack('!H', q[pos + 3:pos + 5])[0]
        do = 1 if struct.unpack('!I', q[pos + 5:pos + 9])[0] & 0x8000 else 0
    return qid, flags, labels, qname_wire, qtype, qclass, edns, do


def message(qid, flags, qname_wire, qtype, qclass, answers=b'', ancount=0):
    return struct.pack('!6H', qid, flags, 1, ancount, 0, 0) + qname_wire + \
        struct.pack('!HH', qtype, qclass) + answers


def good(qid, rd, qname_wire, qtype, qclass):
    if qtype == 28:
        rr = struct.pack('!HHHIH', 0xC00C, 28, qclass, 1, 16) + socket.inet_pton(socket.AF_INET6, '2001:db8::53')
    else:
        rr = struct.pack('!HHHIH', 0xC00C, 1, qclass, 1, 4) + socket.inet_aton('192.0.2.53')
    return message(qid, 0x8400 | rd, qname_wire, qtype, qclass, rr, 1)


def replies(q, tcp):
    """Returns a list of (delay_s, use_altport, bytes)."""
    qid, flags, labels, qname_wire, qtype, qclass, edns, do = parse_query(q)
    rd = flags & 0x0100
    kind = labels[0].decode('ascii', 'replace').lower() if labels else ''
    rcodes = {'refused': 5, 'nxdomain': 3, 'servfail': 2, 'empty': 0}
    if kind in rcodes:
        return [(0, False, message(qid, 0x8400 | rd | rcodes[kind], qname_wire, qtype, qclass))]
    other = b'\x05other' + qname_wire[1 + qname_wire[0]:]
    wrong = {
        'wrongid': message(qid ^ 0x5555, 0x8400 | rd, qname_wire, qtype, qclass),
        'wrongq': message(qid, 0x8400 | rd, other, qtype, qclass),
        'wrongtype': message(qid, 0x8400 | rd, qname_wire, 16 if qtype != 16 else 1, qclass),
        'notqr': message(qid, 0x0400 | rd, qname_wire, qtype, qclass),
        'wrongopcode': message(qid, 0xA400 | rd, qname_wire, qtype, qclass),  # NOTIFY
        'garbage': b'\x12\x34\x56\x78\x9a',
    }
    if kind in wrong:
        return [(0, False, wrong[kind])]
    if kind == 'wrongport':
        return [(0, True, good(qid, rd, qname_wire, qtype, qclass))]
    if kind == 'decoys':
        out = [(0, False, m) for m in wrong.values()]
        out.append((0, True, good(qid, rd, qname_wire, qtype, qclass)))
        out.append((0.05, False, good(qid, rd, qname_wire, qtype, qclass)))
        return out
    if kind == 'tc' and not tcp:
        return [(0, False, message(qid, 0x8600 | rd, qname_wire, qtype, qclass))]
    if kind == 'loop':
        rr = struct.pack('!HHHIH', 0xC000 | (12 + len(qname_wire) + 4), 1, qclass, 1, 4) + b'\xc0\x00\x02\x35'
        return [(0, False, message(qid, 0x8400 | rd, qname_wire, qtype, qclass, rr, 1))]
    if kind == 'slow':
        return [(0.3, False, good(qid, rd, qname_wire, qtype, qclass))]
    if kind == 'silent':
        return []
    if kind == 'flag' and FLAGDIR and len(labels) > 1:
        name = labels[1].decode('ascii', 'replace').lower()
        if not os.path.exists(os.path.join(FLAGDIR, name)):
            return [(0, False, message(qid, 0x8400 | rd | 2, qname_wire, qtype, qclass))]
    if kind == 'dropfirst':
        key = (bytes(qname_wire).lower(), tcp)
        with lock:
            first = key not in seen
            seen.add(key)
        if first:
            return []
    return [(0, False, good(qid, rd, qname_wire, qtype, qclass))]


def describe(q, proto, peer):
    qid, flags, labels, _, qtype, qclass, edns, do = parse_query(q)
    name = '.'.join(l.decode('ascii', 'replace') for l in labels) + '.'
    return (f'query {proto} from={peer[0]} sport={peer[1]} id={qid} name={name} type={qtype} '
            f'class={qclass} rd={1 if flags & 0x100 else 0} cd={1 if flags & 0x10 else 0} '
            f'edns={edns} do={do}')


def udp_loop(sock, alt):
    while True:
        q, peer = sock.recvfrom(65535)
        try:
            log(describe(q, 'udp', peer))
            out = replies(q, False)
        except Exception as e:  # a broken query gets no answer
            log(f'bad query from {peer}: {e}')
            continue
        def send(out=out, peer=peer):
            for delay, use_alt, m in out:
                if delay:
                    time.sleep(delay)
                (alt if use_alt else sock).sendto(m, peer)
        threading.Thread(target=send, daemon=True).start()


def tcp_conn(conn, peer):
    try:
        while True:
            hdr = conn.recv(2, socket.MSG_WAITALL)
            if len(hdr) < 2:
                return
            q = conn.recv(struct.unpack('!H', hdr)[0], socket.MSG_WAITALL)
            log(describe(q, 'tcp', peer))
            if parse_query(q)[2][:1] == [b'flood']:
                flood(conn, q)
                return
            for delay, use_alt, m in replies(q, True):
                if delay:
                    time.sleep(delay)
                if not use_alt:
                    conn.sendall(struct.pack('!H', len(m)) + m)
    except OSError:
        pass
    finally:
        conn.close()


def flood(conn, q):
    qid, flags, _, qname_wire, qtype, qclass, _, _ = parse_query(q)
    m = message(qid ^ 1, 0x8400 | (flags & 0x0100), qname_wire, qtype, qclass)
    batch = (struct.pack('!H', len(m)) + m) * 1000
    end = time.monotonic() + 30
    while time.monotonic() < end:
        conn.sendall(batch)


def tcp_loop(ls):
    while True:
        conn, peer = ls.accept()
        threading.Thread(target=tcp_conn, args=(conn, peer), daemon=True).start()


def main():
    fam = socket.AF_INET6 if ':' in ADDR else socket.AF_INET
    udp = socket.socket(fam, socket.SOCK_DGRAM)
    udp.bind((ADDR, PORT))
    alt = socket.socket(fam, socket.SOCK_DGRAM)
    alt.bind((ADDR, ALTPORT))
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ADDR, PORT))
    ls.listen(64)
    silent_udp = socket.socket(fam, socket.SOCK_DGRAM)
    silent_udp.bind((ADDR, SILENTPORT))
    silent_tcp = socket.socket(fam, socket.SOCK_STREAM)
    silent_tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent_tcp.bind((ADDR, SILENTPORT))
    silent_tcp.listen(64)
    threading.Thread(target=tcp_loop, args=(ls,), daemon=True).start()
    log('ready')
    udp_loop(udp, alt)


if __name__ == '__main__':
    main()
