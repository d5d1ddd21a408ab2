# SPDX-License-Identifier: MIT
"""Client program: counting votes in a leader election.

Usage pattern: a consensus node, when its election timer fires, makes a
fresh `atomics.atomic(width=4, atype=atomics.INT)` vote counter for the
round, starts one thread per peer with `kwargs={"cnt": cnt, "node": peer,
"barrier": barrier}`, each thread calls `cnt.inc()` if the peer grants its
vote and then waits on a `threading.Barrier`; the candidate compares
`cnt.load()` with the majority.
"""

import random
import sys
import threading

import atomics

PEERS = 6
ROUNDS = 30


class Node:
    def __init__(self, peers, grants):
        self.peers = peers
        self.grants = grants  # peer -> set of rounds it grants
        self.term = 0

    def get_vote(self, cnt, node, barrier):
        if self.term in self.grants[node]:
            cnt.inc()
        barrier.wait()

    def leader_election(self):
        self.term += 1
        cnt = atomics.atomic(width=4, atype=atomics.INT)
        cnt.inc()  # our own vote
        barrier = threading.Barrier(len(self.peers) + 1)
        for peer in self.peers:
            threading.Thread(target=self.get_vote,
                             kwargs={"cnt": cnt, "node": peer,
                                     "barrier": barrier}).start()
        barrier.wait()
        return cnt.load()


def main():
    rng = random.Random(7)
    peers = [f"node{i}" for i in range(PEERS)]
    grants = {p: {r for r in range(1, ROUNDS + 1) if rng.random() < 0.5}
              for p in peers}
    node = Node(peers, grants)
    majority = (PEERS + 1) // 2 + 1
    won = 0
    for _ in range(ROUNDS):
        votes = node.leader_election()
        expected = 1 + sum(node.term in grants[p] for p in peers)
        assert votes == expected, (node.term, votes, expected)
        won += votes >= majority
    print(f"rounds: {ROUNDS}, won: {won}")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
