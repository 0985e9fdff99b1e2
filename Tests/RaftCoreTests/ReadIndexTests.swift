@_spi(Testing) import RaftCore
import Simulation
import Testing

@Suite("ReadIndex (Raft dissertation §6.4) and snapshots (§7)")
struct ReadIndexTests {
  @Test("a read is answered only after a majority acknowledges a heartbeat round (§6.4)")
  func needsHeartbeatQuorum() {
    let h = Support.elected()
    h.isolated = [2, 3]
    h.with(1) { try! $0.readIndex(context: Array("r".utf8)) }
    h.stabilize()
    #expect(h.readStates[1] == nil)
    h.isolated = [3]
    h.with(1) { $0.tick() }
    h.stabilize()
    #expect(h.readStates[1]?.map(\.index) == [h.status(1).commit])
  }

  @Test("a new leader answers no read before it commits an entry of its own term (§6.4)")
  func waitsForTermCommit() {
    let h = Support.harness(3)
    h.with(1) { $0.campaign() }
    // Deliver until node 1 leads, but hold back the acknowledgements of its no-op.
    for _ in 0..<8 where h.status(1).role != .leader {
      h.processReady()
      h.deliverAll()
    }
    #expect(h.status(1).role == .leader)
    h.isolated = [2, 3]
    h.with(1) { try! $0.readIndex(context: Array("early".utf8)) }
    h.stabilize()
    #expect(h.readStates[1] == nil)
    h.isolated = []
    h.with(1) { $0.tick() }
    h.stabilize()
    #expect(h.readStates[1]?.count == 1)
    #expect(h.readStates[1]![0].index >= h.status(1).commit)
  }

  @Test("a follower's read is forwarded to the leader and answered with the leader's commit index")
  func followerRead() {
    let h = Support.elected()
    h.with(1) { _ = try! $0.propose(Array("w".utf8)) }
    h.stabilize()
    h.with(2) { try! $0.readIndex(context: Array("f".utf8)) }
    h.stabilize()
    #expect(h.readStates[2]?.map(\.index) == [h.status(1).commit])
  }

  @Test("a node that knows no leader refuses a read")
  func noLeaderNoRead() {
    let h = Support.harness(3)
    #expect(throws: RaftError.notLeader(leader: .none)) { try h.with(1) { try $0.readIndex(context: [1]) } }
  }

  @Test("a follower behind the compacted log is caught up by a chunked snapshot (§7)")
  func snapshotCatchUp() {
    let h = Support.elected()
    h.isolated = [3]
    for i in 0..<5 { h.with(1) { _ = try! $0.propose(Array("s\(i)".utf8)) } }
    h.stabilize()
    h.compact(1)
    h.isolated = []
    h.with(1) { $0.tick() }
    h.stabilize()
    let snapIndex = try! h.nodes[1]!.storage.snapshot().metadata.index
    #expect(try! h.nodes[3]!.storage.snapshot().metadata.index == snapIndex)
    #expect(h.status(3).commit == h.status(1).commit)
    #expect(h.status(3).applied == h.status(1).applied)
  }

  @Test("a restarted follower re-applies committed entries after its snapshot")
  func restartReapplies() {
    let h = Support.elected()
    h.with(1) { _ = try! $0.propose(Array("r".utf8)) }
    h.stabilize()
    let before = h.applied[2]!
    h.restart(2)
    #expect(h.applied[2] == nil)
    h.processReady()
    #expect(h.applied[2] == before, "the same committed entries, applied again in order")
  }
}
