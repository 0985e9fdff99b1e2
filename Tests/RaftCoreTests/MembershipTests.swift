@_spi(Testing) import RaftCore
import Simulation
import Testing

@Suite("Membership changes (Raft dissertation §4) and leadership transfer (§3.10)")
struct MembershipTests {
  /// Node 1 leads 1...3, and node 4 has joined as a caught-up learner.
  func withLearner() -> InteractionHarness {
    let h = Support.elected()
    h.addNode(4)
    h.with(1) { _ = try! $0.proposeMembershipChange(ConfChange(.addLearner, 4)) }
    h.stabilize()
    h.with(1) { $0.tick() }
    h.stabilize()
    return h
  }

  @Test("a membership change waits until the previous one is applied (§4.1)")
  func oneAtATime() {
    let h = Support.elected()
    h.addNode(4)
    h.with(1) { _ = try! $0.proposeMembershipChange(ConfChange(.addLearner, 4)) }
    #expect(throws: RaftError.confChangePending) {
      try h.with(1) { _ = try $0.proposeMembershipChange(ConfChange(.removeNode, 3)) }
    }
    h.stabilize()
    h.with(1) { _ = try! $0.proposeMembershipChange(ConfChange(.removeNode, 3)) }
  }

  @Test("a learner receives the log but its acknowledgements do not commit (§4.2.1)")
  func learnerDoesNotCount() {
    let h = withLearner()
    #expect(h.status(4).confState.learners == [4])
    #expect(h.status(4).commit == h.status(1).commit)
    h.isolated = [2, 3]
    h.with(1) { _ = try! $0.propose(Array("x".utf8)) }
    h.stabilize()
    #expect(h.status(4).lastIndex == h.status(1).lastIndex)
    #expect(h.status(1).commit < h.status(1).lastIndex, "leader plus learner is not a majority of 3 voters")
  }

  @Test("a learner never campaigns")
  func learnerDoesNotCampaign() {
    let h = withLearner()
    h.isolated = [1]
    for _ in 0..<50 { h.with(4) { $0.tick() } }
    #expect(h.status(4).role == .follower)
  }

  @Test("a learner that has not caught up cannot be promoted")
  func laggingLearnerNotPromoted() {
    let h = Support.elected()
    h.addNode(4)
    h.isolated = [4]
    h.with(1) { _ = try! $0.proposeMembershipChange(ConfChange(.addLearner, 4)) }
    h.stabilize()
    #expect(throws: RaftError.learnerNotCaughtUp) {
      try h.with(1) { _ = try $0.proposeMembershipChange(ConfChange(.addVoter, 4)) }
    }
  }

  @Test("a caught-up learner is promoted and then counts toward quorum")
  func promotion() {
    let h = withLearner()
    h.with(1) { _ = try! $0.proposeMembershipChange(ConfChange(.addVoter, 4)) }
    h.stabilize()
    #expect(h.status(1).confState.voters == [1, 2, 3, 4])
    h.isolated = [3]
    h.with(1) { _ = try! $0.propose(Array("y".utf8)) }
    h.stabilize()
    #expect(h.status(1).commit == h.status(1).lastIndex, "1, 2 and 4 are a majority of four")
  }

  @Test("a leader that removes itself steps down once the change applies (§4.2.2)")
  func removedLeaderStepsDown() {
    let h = Support.elected()
    h.with(1) { _ = try! $0.proposeMembershipChange(ConfChange(.removeNode, 1)) }
    h.stabilize()
    #expect(h.status(1).role == .follower)
    #expect(h.status(2).confState.voters == [2, 3])
    // The remaining voters' leader lease runs out, then one of them is elected.
    for _ in 0..<10 {
      h.with(2) { $0.tick() }
      h.with(3) { $0.tick() }
    }
    h.stabilize()
    h.with(2) { $0.campaign() }
    h.stabilize()
    #expect(h.status(2).role == .leader)
  }

  @Test("a membership change that makes no sense is refused")
  func invalidChange() {
    let h = Support.elected()
    #expect(throws: RaftError.self) { try h.with(1) { _ = try $0.proposeMembershipChange(ConfChange(.addVoter, 2)) } }
    #expect(throws: RaftError.self) { try h.with(1) { _ = try $0.proposeMembershipChange(ConfChange(.removeNode, 9)) } }
  }

  @Test("leadership transfer catches the target up, then it wins at once (§3.10)")
  func transfer() {
    let h = Support.elected()
    h.isolated = [3]
    h.with(1) { _ = try! $0.propose(Array("z".utf8)) }
    h.stabilize()
    h.isolated = []
    h.with(1) { try! $0.transferLeadership(to: 3) }
    #expect(throws: RaftError.proposalDropped) { try h.with(1) { _ = try $0.propose(Array("no".utf8)) } }
    h.stabilize()
    #expect(h.status(3).role == .leader)
    #expect(h.status(1).lead == 3)
  }

  @Test("a transfer to an unreachable node is abandoned after an election timeout")
  func transferTimesOut() {
    let h = Support.elected()
    h.isolated = [3]
    h.with(1) { try! $0.transferLeadership(to: 3) }
    for _ in 0..<10 { h.with(1) { $0.tick() } }
    h.stabilize()
    #expect(h.status(1).leadTransferee == .none)
    h.with(1) { _ = try! $0.propose(Array("ok".utf8)) }
  }

  @Test("ConfChange round-trips through its versioned codec")
  func codecRoundTrip() throws {
    for kind in ConfChange.Kind.allCases {
      let change = ConfChange(kind, NodeID(0x0102_0304_0506_0708))
      #expect(try ConfChange.decode(change.encoded()) == change)
    }
    #expect(ConfChange(.addLearner, 5).encoded() == [1, 1, 5, 0, 0, 0, 0, 0, 0, 0])
  }

  @Test("hostile ConfChange bytes are rejected with a typed error, never a trap")
  func codecHostile() {
    #expect(throws: ConfChangeDecodingError.truncated) { try ConfChange.decode([]) }
    #expect(throws: ConfChangeDecodingError.unknownVersion(9)) { try ConfChange.decode([9, 0]) }
    #expect(throws: ConfChangeDecodingError.truncated) { try ConfChange.decode([1, 0, 1]) }
    #expect(throws: ConfChangeDecodingError.trailingBytes) { try ConfChange.decode([1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]) }
    #expect(throws: ConfChangeDecodingError.unknownKind(7)) { try ConfChange.decode([1, 7, 1, 0, 0, 0, 0, 0, 0, 0]) }
    #expect(throws: ConfChangeDecodingError.zeroNodeID) { try ConfChange.decode([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
  }
}
