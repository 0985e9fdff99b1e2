@testable import RaftCore
import Testing

@Suite("Progress, in-flight window and quorum arithmetic")
struct ProgressTests {
  @Test("the in-flight window fills, and acknowledgements free every message at or below them")
  func inflights() {
    var w = Inflights(capacity: 3)
    for i: UInt64 in [5, 8, 12] { w.add(LogIndex(i)) }
    #expect(w.isFull)
    w.freeLE(LogIndex(8))
    #expect(w.count == 1 && !w.isFull)
    w.freeFirstOne()
    #expect(w.count == 0)
  }

  @Test("a probe sends one append and waits; replicate streams until the window is full")
  func pausing() {
    var p = Progress(next: LogIndex(10), inflightCapacity: 2, isLearner: false)
    #expect(!p.isPaused)
    p.probeSent = true
    #expect(p.isPaused)
    _ = p.maybeUpdate(LogIndex(9))
    p.becomeReplicate()
    #expect(!p.isPaused && p.next == LogIndex(10))
    p.inflights.add(LogIndex(10))
    p.inflights.add(LogIndex(11))
    #expect(p.isPaused)
    p.becomeSnapshot(LogIndex(50))
    #expect(p.isPaused)
  }

  @Test("a rejection moves next back to the hint, never below match + 1; stale rejections are ignored")
  func decrease() {
    var p = Progress(next: LogIndex(20), inflightCapacity: 4, isLearner: false)
    let notOurs = p.maybeDecrease(rejected: LogIndex(5), hint: LogIndex(3))
    #expect(!notOurs, "not the probe we sent")
    let ours = p.maybeDecrease(rejected: LogIndex(19), hint: LogIndex(7))
    #expect(ours)
    #expect(p.next == LogIndex(8))
    var r = Progress(next: LogIndex(20), inflightCapacity: 4, isLearner: false)
    _ = r.maybeUpdate(LogIndex(12))
    r.becomeReplicate()
    let stale = r.maybeDecrease(rejected: LogIndex(11), hint: LogIndex(0))
    #expect(!stale, "at or below match: stale")
    let fresh = r.maybeDecrease(rejected: LogIndex(15), hint: LogIndex(0))
    #expect(fresh)
    #expect(r.next == LogIndex(13))
  }

  @Test("the committed index is the largest match held by a majority of voters; learners do not count")
  func quorumCommit() {
    var t = ProgressTracker(confState: ConfState(voters: [1, 2, 3, 4, 5], learners: [6]), inflightCapacity: 4)
    t.setConfState(t.confState, next: LogIndex(1))
    for (id, m) in [(1, 9), (2, 7), (3, 7), (4, 2), (5, 1), (6, 100)] as [(UInt64, UInt64)] {
      t[NodeID(id)]!.match = LogIndex(m)
    }
    #expect(t.committedIndex() == LogIndex(7))
  }

  @Test("an election is won by a majority of voters and lost once a majority rejects")
  func votes() {
    var t = ProgressTracker(confState: ConfState(voters: [1, 2, 3], learners: [4]), inflightCapacity: 4)
    t.recordVote(1, granted: true)
    t.recordVote(4, granted: true)
    #expect(t.voteResult() == .pending)
    t.recordVote(2, granted: true)
    #expect(t.voteResult() == .won)
    var u = ProgressTracker(confState: ConfState(voters: [1, 2, 3]), inflightCapacity: 4)
    u.recordVote(2, granted: false)
    u.recordVote(3, granted: false)
    #expect(u.voteResult() == .lost)
  }
}
