import Testing

@testable import ChaosCheck

func append(
  _ process: Int, _ tag: String, _ outcome: Outcome<AppendResult>, _ invokeMs: UInt64, _ completeMs: UInt64
)
  -> AppendOperation
{
  AppendOperation(
    process: ProcessID(process), tag: tag, outcome: outcome, invokeNs: invokeMs * 1_000_000,
    completeNs: completeMs * 1_000_000)
}

func seq(_ n: Int) -> String {
  "/chaos/appends/a-" + String(repeating: "0", count: 10 - String(n).count) + String(n)
}

@Suite("Sequential appends")
struct AppendCheckTests {
  let appends = [
    append(1, "1-0", .ok(AppendResult(name: seq(0), czxid: 100)), 0, 10),
    append(2, "2-0", .ok(AppendResult(name: seq(1), czxid: 105)), 5, 15),
    append(1, "1-1", .indeterminate, 20, 30),
    append(2, "2-1", .failed, 20, 30),
  ]

  @Test("acknowledged appends present, an indeterminate one present or not: pass")
  func valid() {
    let final = [
      FinalChild(name: seq(0), tag: "1-0", czxid: 100), FinalChild(name: seq(1), tag: "2-0", czxid: 105),
    ]
    #expect(AppendCheck.check(appends, final: final).verdict == .pass)
    let withIndeterminate = final + [FinalChild(name: seq(2), tag: "1-1", czxid: 110)]
    #expect(AppendCheck.check(appends, final: withIndeterminate).verdict == .pass)
  }

  @Test("an acknowledged append absent at the end is lost")
  func lost() {
    let result = AppendCheck.check(appends, final: [FinalChild(name: seq(0), tag: "1-0", czxid: 100)])
    #expect(result.verdict == .fail)
    #expect(result.explanation.contains { $0.hasPrefix("lost:") && $0.contains("2-0") })
  }

  @Test("one append present twice is a duplicate")
  func duplicate() {
    let final = [
      FinalChild(name: seq(0), tag: "1-0", czxid: 100), FinalChild(name: seq(1), tag: "2-0", czxid: 105),
      FinalChild(name: seq(2), tag: "2-0", czxid: 110),
    ]
    let result = AppendCheck.check(appends, final: final)
    #expect(result.verdict == .fail)
    #expect(result.explanation.contains { $0.hasPrefix("duplicate:") })
  }

  @Test("an append the server refused yet present is a phantom")
  func phantom() {
    let final = [
      FinalChild(name: seq(0), tag: "1-0", czxid: 100), FinalChild(name: seq(1), tag: "2-0", czxid: 105),
      FinalChild(name: seq(2), tag: "2-1", czxid: 110),
    ]
    #expect(AppendCheck.check(appends, final: final).explanation.contains { $0.hasPrefix("phantom:") })
  }

  @Test("sequence order against czxid order is flagged")
  func zxidOrder() {
    let appends = [
      append(1, "1-0", .ok(AppendResult(name: seq(0), czxid: 105)), 0, 10),
      append(2, "2-0", .ok(AppendResult(name: seq(1), czxid: 100)), 0, 10),
    ]
    let final = [
      FinalChild(name: seq(0), tag: "1-0", czxid: 105), FinalChild(name: seq(1), tag: "2-0", czxid: 100),
    ]
    let result = AppendCheck.check(appends, final: final)
    #expect(result.explanation.contains { $0.hasPrefix("order:") })
  }

  @Test(
    "each queue has its own sequence: equal numbers in two queues are neither duplicates nor out of order")
  func queues() {
    let appends = [
      AppendOperation(
        process: ProcessID(1), queue: "/q0", tag: "1-0", outcome: .ok(AppendResult(name: seq(0), czxid: 110)),
        invokeNs: 0, completeNs: 10),
      AppendOperation(
        process: ProcessID(2), queue: "/q1", tag: "2-0", outcome: .ok(AppendResult(name: seq(0), czxid: 100)),
        invokeNs: 20, completeNs: 30),
    ]
    let final = [
      FinalChild(queue: "/q0", name: seq(0), tag: "1-0", czxid: 110),
      FinalChild(queue: "/q1", name: seq(0), tag: "2-0", czxid: 100),
    ]
    let results = AppendCheck.checkQueues(appends, final: final)
    #expect(results.map(\.name) == ["appends /q0", "appends /q1"])
    #expect(results.allSatisfy { $0.verdict == .pass })
    let lost = AppendCheck.checkQueues(appends, final: [final[0]])
    #expect(lost.map(\.verdict) == [.pass, .fail])
  }

  @Test("an append acknowledged before another was invoked must get the smaller sequence")
  func realTime() {
    let appends = [
      append(1, "1-0", .ok(AppendResult(name: seq(5), czxid: 100)), 0, 10),
      append(2, "2-0", .ok(AppendResult(name: seq(3), czxid: 90)), 20, 30),
    ]
    let final = [
      FinalChild(name: seq(3), tag: "2-0", czxid: 90), FinalChild(name: seq(5), tag: "1-0", czxid: 100),
    ]
    let result = AppendCheck.check(appends, final: final)
    #expect(result.verdict == .fail)
    #expect(result.explanation.contains { $0.hasPrefix("real time:") })
  }
}

@Suite("Ephemerals follow their sessions")
struct EphemeralCheckTests {
  let records = [
    EphemeralRecord(
      process: ProcessID(1), sessionID: 11, path: "/chaos/eph/p1-1", creation: .ok(true), sessionEnd: .closed),
    EphemeralRecord(
      process: ProcessID(2), sessionID: 22, path: "/chaos/eph/p2-1", creation: .ok(true), sessionEnd: .alive),
    EphemeralRecord(
      process: ProcessID(3), sessionID: 33, path: "/chaos/eph/p3-1", creation: .indeterminate,
      sessionEnd: .alive),
  ]

  @Test("live sessions' nodes present, closed sessions' gone: pass")
  func valid() {
    let final = [FinalEphemeral(path: "/chaos/eph/p2-1", ephemeralOwner: 22)]
    #expect(EphemeralCheck.check(records, final: final).verdict == .pass)
  }

  @Test("a closed session's node still present outlived it")
  func outlived() {
    let final = [
      FinalEphemeral(path: "/chaos/eph/p1-1", ephemeralOwner: 11),
      FinalEphemeral(path: "/chaos/eph/p2-1", ephemeralOwner: 22),
    ]
    #expect(EphemeralCheck.check(records, final: final).explanation.contains { $0.hasPrefix("outlived:") })
  }

  @Test("a live session's acknowledged node absent is lost")
  func lost() {
    #expect(EphemeralCheck.check(records, final: []).explanation.contains { $0.hasPrefix("lost:") })
  }

  @Test("a node owned by another session is flagged")
  func owner() {
    let final = [FinalEphemeral(path: "/chaos/eph/p2-1", ephemeralOwner: 99)]
    #expect(EphemeralCheck.check(records, final: final).explanation.contains { $0.hasPrefix("owner:") })
  }
}

@Suite("No client sees zxids go backwards")
struct ZxidCheckTests {
  @Test("a client's reads and writes in zxid order pass")
  func valid() {
    let ops = [
      op(1, .write(5), .ok(.written(version: 1)), 0, 10, key: "a", zxid: 100),
      op(2, .write(6), .ok(.written(version: 1)), 0, 10, key: "b", zxid: 101),
      op(1, .read, .ok(.read(value: 6, version: 1)), 20, 30, key: "b", zxid: 101),
      op(1, .read, .ok(.read(value: 5, version: 1)), 40, 50, key: "a", zxid: 100),
    ]
    #expect(ZxidCheck.check(registers: ops, appends: []).verdict == .pass)
  }

  @Test("a read older than a write the client had already seen is a regression")
  func readRegression() {
    let ops = [
      op(1, .write(5), .ok(.written(version: 1)), 0, 10, key: "a", zxid: 100),
      op(2, .write(6), .ok(.written(version: 2)), 20, 30, key: "a", zxid: 200),
      op(1, .read, .ok(.read(value: 6, version: 2)), 40, 50, key: "a", zxid: 200),
      op(1, .read, .ok(.read(value: 5, version: 1)), 60, 70, key: "a", zxid: 100),
    ]
    let result = ZxidCheck.check(registers: ops, appends: [])
    #expect(result.verdict == .fail)
    #expect(result.explanation.count == 1)
  }

  @Test("a write acknowledged with a zxid below one the client had seen is a regression")
  func writeRegression() {
    let ops = [op(1, .read, .ok(.read(value: 6, version: 2)), 0, 10, key: "a", zxid: 300)]
    let appends = [append(1, "1-0", .ok(AppendResult(name: seq(0), czxid: 250)), 20, 30)]
    #expect(ZxidCheck.check(registers: ops, appends: appends).verdict == .fail)
  }
}

@Suite("The summary line")
struct ReportTests {
  @Test("counts one per check, and a failing key explains itself")
  func summary() {
    let history = History(
      initialRegisters: ["a": zero, "b": zero],
      registers: [
        op(1, .write(5), .ok(.written(version: 1)), 0, 10, key: "a", zxid: 100),
        op(2, .read, .ok(.read(value: 0, version: 0)), 20, 30, key: "a", zxid: 1),
        op(2, .read, .ok(.read(value: 0, version: 0)), 20, 30, key: "b", zxid: 1),
      ])
    let results = ChaosReport.checkAll(history)
    #expect(results.map(\.name) == ["linearizable a", "linearizable b", "appends", "ephemerals", "zxids"])
    #expect(ChaosReport.summary(results) == "chaos: 4 passed, 1 failed")
    #expect(ChaosReport.explanations(results).first == "FAIL linearizable a")
  }

  @Test("a version no single application of a write explains names the write seen elsewhere")
  func unexplainedVersions() {
    // Write 5 is seen at version 2, yet version 1 was made before anyone saw version 2... by
    // nothing but write 5 itself: it took effect twice.
    let operations = [
      op(1, .write(5), .indeterminate, 0, 10),
      op(2, .read, .ok(.read(value: 5, version: 2)), 20, 30),
    ]
    let result = ChaosReport.checkRegister(
      key: "k", operations, initial: zero, checker: LinearizabilityChecker())
    #expect(result.verdict == .fail)
    #expect(
      result.explanation.last
        == "version 1 was never observed and no write could have made it by taking effect once; applied twice? "
        + "p1 write 5 (seen at v2)")
    let explained = operations + [op(3, .write(7), .indeterminate, 1, 2)]
    #expect(ChaosReport.unexplainedVersions(explained, initial: zero).isEmpty)
  }

  @Test("one unobserved write explains one unobserved version, not two")
  func oneWriteOneVersion() {
    let operations = [
      op(1, .write(5), .indeterminate, 0, 10),
      op(2, .write(9), .ok(.written(version: 3)), 20, 30),
    ]
    #expect(
      ChaosReport.unexplainedVersions(operations, initial: zero) == [
        "version 2 was never observed and no write could have made it by taking effect once"
      ])
  }

  @Test("a value seen at two versions is named as a write applied twice")
  func doubleApplication() {
    let operations = [
      op(1, .write(5), .indeterminate, 0, 10),
      op(2, .read, .ok(.read(value: 5, version: 1)), 20, 30),
      op(3, .write(6), .ok(.written(version: 2)), 40, 50),
      op(2, .read, .ok(.read(value: 5, version: 3)), 60, 70),
    ]
    let result = ChaosReport.checkRegister(
      key: "k", operations, initial: zero, checker: LinearizabilityChecker())
    #expect(result.verdict == .fail)
    #expect(result.explanation.last == "value 5 was seen at versions 1, 3: one write applied more than once")
  }
}
