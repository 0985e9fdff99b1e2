@_spi(Testing) import RaftCore
import Simulation
import Testing

@Suite("Log replication (Raft §5.3, §5.4.2) and flow control")
struct ReplicationTests {
  @Test("an append whose previous entry does not match is rejected with a backtracking hint (§5.3)")
  func mismatchRejected() {
    var (raw, storage) = Support.node(entries: [Support.e(1, 2), Support.e(1, 3)], hardState: HardState(term: Term(2), commit: LogIndex(1)))
    try! raw.step(Support.msg(.append, from: 2, term: 2, logTerm: 2, index: 3, entries: [Support.e(2, 4)]))
    let rd = Support.handle(&raw, storage)
    let answer = rd.messagesAfterPersist.first!
    #expect(answer.kind == .appendResponse && answer.reject)
    // Our last entry with a term at most 2 is 3 (term 1): the leader may skip straight there.
    #expect(answer.rejectHint == LogIndex(3))
    #expect(answer.logTerm == Term(1))
  }

  @Test("a conflicting suffix is truncated and replaced by the leader's entries (§5.3)")
  func conflictTruncated() {
    var (raw, storage) = Support.node(entries: [Support.e(1, 2, "a"), Support.e(1, 3, "old")], hardState: HardState(term: Term(1), commit: LogIndex(1)))
    try! raw.step(Support.msg(.append, from: 2, term: 2, logTerm: 1, index: 2, entries: [Support.e(2, 3, "new")], commit: 1))
    let rd = Support.handle(&raw, storage)
    #expect(rd.entries == [Support.e(2, 3, "new")])
    #expect(try! storage.term(at: LogIndex(3)) == Term(2))
    #expect(rd.messagesAfterPersist.first?.index == LogIndex(3))
  }

  @Test("a follower commits up to min(leaderCommit, index of last new entry) (figure 2)")
  func followerCommitRule() {
    var (raw, storage) = Support.node()
    try! raw.step(Support.msg(.append, from: 2, term: 2, logTerm: 1, index: 1, entries: [Support.e(2, 2)], commit: 9))
    #expect(raw.commitIndex == LogIndex(2))
    Support.handle(&raw, storage)
    try! raw.step(Support.msg(.append, from: 2, term: 2, logTerm: 2, index: 2, entries: [Support.e(2, 3), Support.e(2, 4)], commit: 3))
    #expect(raw.commitIndex == LogIndex(3))
  }

  @Test("committed entries reach the application only once committed")
  func appliesOnlyCommitted() {
    var (raw, storage) = Support.node()
    try! raw.step(Support.msg(.append, from: 2, term: 2, logTerm: 1, index: 1, entries: [Support.e(2, 2)], commit: 1))
    let rd = Support.handle(&raw, storage)
    #expect(rd.committedEntries.isEmpty)
  }

  @Test("a leader commits an earlier term's entry only together with one of its own term (§5.4.2)")
  func currentTermCommitRule() {
    var (raw, storage) = Support.node(entries: [Support.e(1, 2, "old")], hardState: HardState(term: Term(1), commit: LogIndex(1)))
    raw.campaign()
    Support.handle(&raw, storage)
    try! raw.step(Support.msg(.voteResponse, from: 2, term: 2))
    #expect(raw.role == .leader)
    Support.handle(&raw, storage)  // persists the no-op at 3
    try! raw.step(Support.msg(.appendResponse, from: 2, term: 2, index: 2))
    #expect(raw.commitIndex == LogIndex(1), "a majority holds index 2, but it is from term 1")
    try! raw.step(Support.msg(.appendResponse, from: 2, term: 2, index: 3))
    #expect(raw.commitIndex == LogIndex(3))
  }

  @Test("the in-flight window bounds unacknowledged appends to a follower")
  func inflightWindow() {
    let h = InteractionHarness()
    h.maxInflightMessages = 2
    h.addFounders(3)
    h.with(1) { $0.campaign() }
    h.stabilize()
    h.isolated = [3]
    for i in 0..<6 { h.with(1) { _ = try! $0.propose(Array("p\(i)".utf8)) } }
    h.processReady()
    let appendsTo3 = h.inFlight.filter { $0.kind == .append && $0.to == 3 }
    #expect(appendsTo3.count == 2)
  }

  @Test("proposals beyond the uncommitted-bytes bound are dropped")
  func uncommittedBound() {
    let h = InteractionHarness()
    h.maxUncommittedEntriesBytes = 10
    h.addFounders(3)
    h.with(1) { $0.campaign() }
    h.stabilize()
    h.isolated = [2, 3]
    h.with(1) { _ = try! $0.propose(Array("12345678".utf8)) }
    #expect(throws: RaftError.proposalDropped) { try h.with(1) { _ = try $0.propose(Array("12345678".utf8)) } }
  }

  @Test("a follower's probe response carries many entries in one append, within the size bound")
  func batchedAppends() {
    let h = Support.elected()
    h.isolated = [3]
    for i in 0..<10 { h.with(1) { _ = try! $0.propose(Array("entry-\(i)".utf8)) } }
    h.stabilize()
    h.isolated = []
    h.with(1) { $0.tick() }
    h.stabilize()
    #expect(h.status(3).lastIndex == h.status(1).lastIndex)
    #expect(h.status(3).commit == h.status(1).commit)
  }

  @Test("votes and acknowledgements wait for persistence; a leader's appends may go at once (§10.2.1)")
  func readyContract() {
    var (raw, storage) = Support.node()
    try! raw.step(Support.msg(.vote, from: 2, term: 2, logTerm: 1, index: 1))
    var rd = Support.handle(&raw, storage)
    #expect(rd.messages.isEmpty)
    #expect(rd.messagesAfterPersist.map(\.kind) == [.voteResponse])
    let h = Support.elected()
    h.with(1) { _ = try! $0.propose(Array("x".utf8)) }
    rd = h.with(1) { raw in
      let r = raw.ready()
      raw.advance(r)
      return r
    }
    #expect(rd.messages.allSatisfy { $0.kind == .append })
    #expect(!rd.messages.isEmpty)
  }

  @Test("a leader counts its own log toward commit only once it is durable")
  func leaderWaitsForOwnDurability() {
    let h = Support.elected()
    h.isolated = [3]
    h.with(1) { _ = try! $0.propose(Array("x".utf8)) }
    let index = h.status(1).lastIndex
    let rd = h.with(1) { $0.ready() }  // written, not yet synced
    for m in rd.messages where m.to == 2 { h.with(2) { try! $0.step(m) } }
    h.processReady()
    h.deliverAll()  // node 2's acknowledgement reaches the leader
    #expect(h.status(1).commit < index, "one follower plus an unsynced leader is not a majority")
    let storage = h.nodes[1]!.storage
    storage.append(rd.entries)
    if let hs = rd.hardState { storage.setHardState(hs) }
    h.with(1) { $0.advance(rd) }
    #expect(h.status(1).commit == index)
  }
}
