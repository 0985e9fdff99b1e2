import ChaosCheck
import Testing

@Suite("Linearizability of one register key")
struct LinearizabilityTests {
  @Test("a read that returns a value overwritten before it was invoked is a stale read")
  func staleRead() {
    let history = [
      op(1, .write(5), .ok(.written(version: 1)), 0, 10),
      op(2, .read, .ok(.read(value: 0, version: 0)), 20, 30),
    ]
    #expect(verdict(history) == .notLinearizable)
  }

  @Test("a read concurrent with a write may return the old or the new value")
  func concurrentRead() {
    let old = [
      op(1, .write(5), .ok(.written(version: 1)), 0, 30),
      op(2, .read, .ok(.read(value: 0, version: 0)), 10, 20),
    ]
    let new = [
      op(1, .write(5), .ok(.written(version: 1)), 0, 30),
      op(2, .read, .ok(.read(value: 5, version: 1)), 10, 20),
    ]
    #expect(verdict(old) == .linearizable)
    #expect(verdict(new) == .linearizable)
  }

  @Test("an acknowledged write that later reads never see is lost")
  func lostWrite() {
    let history = [
      op(1, .write(5), .ok(.written(version: 1)), 0, 10),
      op(2, .write(6), .ok(.written(version: 2)), 20, 30),
      op(3, .read, .ok(.read(value: 5, version: 1)), 40, 50),
    ]
    #expect(verdict(history) == .notLinearizable)
  }

  @Test("two compare-and-sets from the same version cannot both succeed")
  func doubleCompareAndSet() {
    let history = [
      op(1, .compareAndSet(expectedVersion: 0, value: 7), .ok(.written(version: 1)), 0, 20),
      op(2, .compareAndSet(expectedVersion: 0, value: 8), .ok(.written(version: 1)), 5, 25),
    ]
    #expect(verdict(history) == .notLinearizable)
  }

  @Test("a compare-and-set refused while the version matched is not linearizable")
  func wrongBadVersion() {
    let history = [op(1, .compareAndSet(expectedVersion: 0, value: 7), .ok(.badVersion), 0, 10)]
    #expect(verdict(history) == .notLinearizable)
  }

  @Test("an indeterminate write may take effect late: a later read sees it")
  func indeterminateTakesEffectLate() {
    let history = [
      op(1, .write(5), .indeterminate, 0, 10),
      op(2, .read, .ok(.read(value: 0, version: 0)), 20, 30),
      op(2, .read, .ok(.read(value: 5, version: 1)), 40, 50),
    ]
    #expect(verdict(history) == .linearizable)
  }

  @Test("an indeterminate write may never take effect")
  func indeterminateNever() {
    let history = [
      op(1, .write(5), .indeterminate, 0, 10),
      op(2, .write(6), .ok(.written(version: 1)), 20, 30),
      op(2, .read, .ok(.read(value: 6, version: 1)), 40, 50),
    ]
    #expect(verdict(history) == .linearizable)
  }

  @Test("an indeterminate write cannot take effect before it was invoked")
  func indeterminateNotBeforeInvoke() {
    let history = [
      op(2, .read, .ok(.read(value: 5, version: 1)), 0, 10),
      op(1, .write(5), .indeterminate, 20, 30),
    ]
    #expect(verdict(history) == .notLinearizable)
  }

  @Test("an indeterminate compare-and-set takes effect only if the version matched")
  func indeterminateCompareAndSet() {
    let matching = [
      op(1, .compareAndSet(expectedVersion: 0, value: 9), .indeterminate, 0, 10),
      op(2, .read, .ok(.read(value: 9, version: 1)), 20, 30),
    ]
    let stale = [
      op(1, .write(4), .ok(.written(version: 1)), 0, 5),
      op(1, .compareAndSet(expectedVersion: 0, value: 9), .indeterminate, 10, 15),
      op(2, .read, .ok(.read(value: 9, version: 2)), 20, 30),
    ]
    #expect(verdict(matching) == .linearizable)
    #expect(verdict(stale) == .notLinearizable)
  }

  @Test("failed operations and indeterminate reads are ignored")
  func failedIgnored() {
    let history = [
      op(1, .write(5), .failed, 0, 10),
      op(1, .read, .indeterminate, 10, 20),
      op(2, .read, .ok(.read(value: 0, version: 0)), 20, 30),
    ]
    #expect(verdict(history) == .linearizable)
  }

  @Test("a write reporting a version that skips one is not linearizable")
  func skippedVersion() {
    #expect(verdict([op(1, .write(5), .ok(.written(version: 2)), 0, 10)]) == .notLinearizable)
  }

  @Test("a tight state budget answers unknown rather than searching on")
  func budget() {
    var history: [RegisterOperation] = []
    for i in 0..<12 { history.append(op(i, .write(UInt64(i + 1)), .indeterminate, 0, 1)) }
    history.append(op(99, .read, .ok(.read(value: 777, version: 3)), 100, 110))
    let result = LinearizabilityChecker(stateBudget: 50).check(history, initial: zero)
    #expect(result.verdict == .unknown)
    #expect(result.statesExplored == 50)
  }

  @Test("a caller's stop condition ends the search with unknown")
  func stopCondition() {
    var history: [RegisterOperation] = []
    for i in 0..<16 { history.append(op(i, .write(UInt64(i + 1)), .indeterminate, 0, 1)) }
    history.append(op(99, .read, .ok(.read(value: 777, version: 3)), 100, 110))
    let result = LinearizabilityChecker(shouldStop: { true }).check(history, initial: zero)
    #expect(result.verdict == .unknown)
    #expect(result.statesExplored == 4096)
  }

  @Test("the failing window of a stale read is the write and the read, not the history before")
  func minimalWindow() {
    var history: [RegisterOperation] = []
    for i in 0..<20 {
      history.append(
        op(
          1, .write(UInt64(100 + i)), .ok(.written(version: Int32(i + 1))), UInt64(i * 10), UInt64(i * 10 + 5)
        ))
    }
    history.append(op(2, .read, .ok(.read(value: 118, version: 19)), 300, 310))
    let window = LinearizabilityChecker().minimalFailingWindow(history, initial: zero)
    #expect(window?.operations == [19, 20])
    #expect(window?.fromInitialState == false)
    let result = ChaosReport.checkRegister(
      key: "k", history, initial: zero, checker: LinearizabilityChecker())
    #expect(result.verdict == .fail)
    #expect(result.explanation.contains { $0.contains("smallest failing window: 2 operations") })
  }

  @Test("the window keeps an operation that ran alongside one of its members (found in a real run)")
  func windowClosedUnderConcurrency() {
    // W2 completed before W3 and R were invoked, but overlapped W1: leaving it out would make W3's
    // version look impossible and blame the wrong operations.
    let history = [
      op(1, .write(1), .ok(.written(version: 1)), 0, 20),
      op(2, .write(2), .ok(.written(version: 2)), 5, 15),
      op(3, .write(3), .ok(.written(version: 3)), 16, 40),
      op(4, .read, .ok(.read(value: 1, version: 1)), 18, 25),
    ]
    let window = LinearizabilityChecker().minimalFailingWindow(history, initial: zero)
    #expect(window?.operations.contains(1) == true)
    #expect(window?.operations.contains(3) == true)
  }

  @Test("a read of a value never written fails from the initial state")
  func windowFromInitial() {
    let history = [op(2, .read, .ok(.read(value: 3, version: 0)), 0, 10)]
    let window = LinearizabilityChecker().minimalFailingWindow(history, initial: zero)
    #expect(window?.operations == [0])
    #expect(window?.fromInitialState == true)
  }
}
