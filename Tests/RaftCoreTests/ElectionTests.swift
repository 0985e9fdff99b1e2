@_spi(Testing) import RaftCore
import Simulation
import Testing

@Suite("Leader election (Raft §5.2, §5.4.1, §9.6)")
struct ElectionTests {
  @Test("a follower that hears from no leader for an election timeout becomes a candidate (§5.2)")
  func followerTimesOut() {
    var (raw, _) = Support.node()
    for _ in 0..<20 { raw.tick() }
    #expect(raw.role == .candidate)
    #expect(raw.term == Term(2))
  }

  @Test("a candidate that wins votes from a majority becomes leader and others follow (§5.2)")
  func majorityElects() {
    let h = Support.elected(5)
    #expect(h.status(1).role == .leader)
    for id: NodeID in [2, 3, 4, 5] { #expect(h.status(id).lead == 1) }
  }

  @Test("a candidate rejected by a majority returns to follower (§5.2)")
  func rejectedCandidate() {
    var (raw, storage) = Support.node()
    raw.campaign()
    Support.handle(&raw, storage)
    try! raw.step(Support.msg(.voteResponse, from: 2, term: 2, reject: true))
    try! raw.step(Support.msg(.voteResponse, from: 3, term: 2, reject: true))
    #expect(raw.role == .follower)
  }

  @Test("a node grants at most one vote per term (§5.2)")
  func oneVotePerTerm() {
    var (raw, storage) = Support.node()
    try! raw.step(Support.msg(.vote, from: 2, term: 2, logTerm: 1, index: 1))
    try! raw.step(Support.msg(.vote, from: 3, term: 2, logTerm: 1, index: 1))
    let rd = Support.handle(&raw, storage)
    let answers = rd.messagesAfterPersist.filter { $0.kind == .voteResponse }
    #expect(answers.map(\.to) == [2, 3])
    #expect(answers.map(\.reject) == [false, true])
    #expect(rd.hardState?.vote == 2)
  }

  @Test("a vote is refused to a candidate whose log is less up to date (§5.4.1)")
  func upToDateCheck() {
    var (raw, storage) = Support.node(entries: [Support.e(2, 2)], hardState: HardState(term: Term(2), commit: LogIndex(1)))
    try! raw.step(Support.msg(.vote, from: 2, term: 3, logTerm: 1, index: 5))  // older last term
    try! raw.step(Support.msg(.vote, from: 3, term: 4, logTerm: 2, index: 1))  // same term, shorter
    let rd = Support.handle(&raw, storage)
    #expect(rd.messagesAfterPersist.filter { $0.kind == .voteResponse }.allSatisfy { $0.reject })
  }

  @Test("the deliberate bug skips the up-to-date check (hook reachable only via SPI)")
  func voteBugHook() {
    let storage = MemoryStorage.bootstrap(Support.voters3)
    storage.append([Support.e(2, 2)])
    var config = RaftConfig(id: 1)
    config.deliberateBugs = .voteWithoutLogCheck
    var raw = try! RawNode(config: config, storage: storage)
    try! raw.step(Support.msg(.vote, from: 2, term: 3, logTerm: 1, index: 1))
    let rd = raw.ready()
    #expect(rd.messagesAfterPersist.first { $0.kind == .voteResponse }?.reject == false)
  }

  @Test("a message from a newer term makes a leader step down; an older term is answered with ours (§5.1)")
  func termRules() {
    let h = Support.elected()
    let term = h.status(1).term
    h.with(1) { try! $0.step(Support.msg(.appendResponse, from: 2, term: term.rawValue + 5)) }
    #expect(h.status(1).role == .follower)
    #expect(h.status(1).term == Term(term.rawValue + 5))
    var (raw, storage) = Support.node(hardState: HardState(term: Term(7), commit: LogIndex(1)), checkQuorum: true)
    try! raw.step(Support.msg(.append, from: 2, term: 3, logTerm: 1, index: 1))
    let rd = Support.handle(&raw, storage)
    #expect(rd.messagesAfterPersist.first?.kind == .appendResponse)
    #expect(rd.messagesAfterPersist.first?.term == Term(7))
  }

  @Test("a pre-candidate that loses the pre-vote keeps its term (§9.6)")
  func preVoteKeepsTerm() {
    var (raw, storage) = Support.node(preVote: true)
    raw.campaign()
    #expect(raw.role == .preCandidate)
    let rd = Support.handle(&raw, storage)
    #expect(rd.messagesAfterPersist.allSatisfy { $0.kind == .preVote && $0.term == Term(2) })
    try! raw.step(Support.msg(.preVoteResponse, from: 2, term: 1, reject: true))
    try! raw.step(Support.msg(.preVoteResponse, from: 3, term: 1, reject: true))
    #expect(raw.role == .follower)
    #expect(raw.term == Term(1))
  }

  @Test("a voter that hears from a leader ignores vote requests (check-quorum lease, §6)")
  func leaseIgnoresCampaigns() {
    let h = Support.elected()
    let term = h.status(2).term
    h.with(2) { try! $0.step(Support.msg(.vote, from: 3, to: 2, term: term.rawValue + 1, logTerm: 9, index: 99)) }
    #expect(h.status(2).term == term)
    #expect(h.status(2).vote == 1)
  }

  @Test("a leader that cannot reach a majority steps down after an election timeout (§6.2)")
  func checkQuorum() {
    let h = Support.elected()
    h.isolated = [1]
    for _ in 0..<20 { h.with(1) { $0.tick() } }
    #expect(h.status(1).role == .follower)
  }

  @Test("a candidate that hears from a leader of its term becomes its follower (figure 2, candidates)")
  func candidateYieldsToLeader() {
    var (raw, _) = Support.node()
    raw.campaign()
    #expect(raw.role == .candidate)
    try! raw.step(Support.msg(.append, from: 3, term: 2, logTerm: 1, index: 1, commit: 1))
    #expect(raw.role == .follower)
    #expect(raw.lead == 3)
  }

  @Test("a candidate whose election times out starts another in a higher term (§5.2)")
  func candidateRetries() {
    var (raw, _) = Support.node()
    raw.campaign()
    #expect(raw.term == Term(2))
    for _ in 0..<20 { raw.tick() }
    #expect(raw.role == .candidate)
    #expect(raw.term == Term(3))
  }

  @Test("a vote request from an older term is refused (figure 2, RequestVote receiver rule 1)")
  func staleVoteRefused() {
    var (raw, storage) = Support.node(hardState: HardState(term: Term(5), commit: LogIndex(1)))
    try! raw.step(Support.msg(.vote, from: 2, term: 4, logTerm: 1, index: 1))
    let rd = Support.handle(&raw, storage)
    #expect(rd.messagesAfterPersist.allSatisfy { $0.kind != .voteResponse || $0.reject })
    #expect(raw.status.vote == .none)
  }
}
