import Foundation
import Simulation
import Testing

/// Golden interaction scenarios: each `Scenarios/*.txt` holds commands and the exact transcript
/// they produce. Regenerate on purpose with `GROVE_REGENERATE_SCENARIOS=1 swift test`, then
/// review the diff.
@Suite("Golden interaction scenarios")
struct ScenarioTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios")

  static var names: [String] {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return files.filter { $0.hasSuffix(".txt") }.sorted()
  }

  @Test("the scenario's transcript matches the golden file", arguments: names)
  func scenario(_ name: String) throws {
    let url = Self.directory.appendingPathComponent(name)
    let script = try String(contentsOf: url, encoding: .utf8)
    let transcript = InteractionScript.run(script)
    if ProcessInfo.processInfo.environment["GROVE_REGENERATE_SCENARIOS"] == "1" {
      try transcript.write(to: url, atomically: true, encoding: .utf8)
      return
    }
    #expect(transcript == script, "\(name) differs; regenerate with GROVE_REGENERATE_SCENARIOS=1 and review")
  }

  @Test("there are golden scenarios to check")
  func scenariosExist() {
    #expect(Self.names.count >= 5)
  }
}
