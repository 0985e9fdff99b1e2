import Foundation
import Glibc
import Testing

/// The short chaos run of issue 7: a real 3-node cluster behind fault-injecting proxies, a
/// concurrent workload, kill + pause + partition, and every history checker.
@Suite("chaos", .serialized)
struct ChaosRunTests {
  @Test("30 s of kill, pause and partition on 3 nodes: the history checks out")
  func shortChaosRun() throws {
    guard let server = builtExecutable("grove-server") else {
      Issue.record("grove-server is not built next to the tests")
      return
    }
    let binDirectory = URL(fileURLWithPath: server).deletingLastPathComponent().path
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let scratch = ScratchDirectory("chaos")
    defer { scratch.remove() }
    var environment = ProcessInfo.processInfo.environment
    environment["GROVE_SKIP_BUILD"] = "1"
    environment["GROVE_BIN_DIR"] = binDirectory
    environment["GROVE_CLUSTER_RUN"] = scratch.path + "/cluster"
    environment["GROVE_HOST_BASE"] = String(200 + Int(getpid() % 40))
    environment["GROVE_CLIENT_PORT"] = String(freePort())
    environment["GROVE_PEER_PORT"] = String(freePort())
    environment["GROVE_ADMIN_PORT"] = String(freePort())
    let logPath = scratch.path + "/chaos.log"
    let status = try runToEnd(
      [
        "/bin/bash", repository.appendingPathComponent("cluster/chaos").path, "--seconds", "30", "--nodes", "3",
        "--nemesis", "kill,pause,partition", "--interval", "4", "--history", scratch.path + "/history.json",
      ], environment: environment, logPath: logPath, timeoutSeconds: 240)
    let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    print(output.split(separator: "\n").suffix(8).joined(separator: "\n"))
    #expect(status == 0, "exit \(status): \(output.suffix(2000))")
    #expect(output.contains(" 0 failed"), "\(output.suffix(2000))")
    #expect(output.contains("faults injected"), "\(output.suffix(2000))")
  }
}
