import Foundation
import ZooKeeperWire

/// The shared mechanics of the lock and election recipes: a protected ephemeral sequential
/// node per participant, ordered by sequence number, each participant watching only its
/// predecessor (no herd effect: a deletion wakes one waiter).
struct SequentialMembers: Sendable {
  let client: GroveClient
  let path: String
  let prefix: String

  /// The sequence number of a member node's name: its last 10 digits.
  static func sequence(_ name: String) -> Int64 { Int64(name.suffix(10)) ?? Int64.max }

  /// Creates this participant's node, as Curator's protected mode: the name carries a GUID,
  /// so after a connection loss during the create the node (if it was made) is found again
  /// instead of being created twice.
  func join(data: [UInt8]) async throws(ZooKeeperError) -> String {
    let guid = "_c_" + UUID().uuidString.lowercased() + "-"
    try await client.createRecursively(path)
    while true {
      do throws(ZooKeeperError) {
        return try await client.create("\(path)/\(guid)\(prefix)", data: data, mode: .ephemeralSequential).path
      } catch {
        guard error == .connectionLoss else { throw error }
        if let name = try await client.getChildren(path).children.first(where: { $0.hasPrefix(guid) }) {
          return "\(path)/\(name)"
        }
      }
    }
  }

  /// The members' names, by sequence number.
  func members() async throws(ZooKeeperError) -> [String] {
    try await client.getChildren(path).children.filter { $0.contains(prefix) }
      .sorted { Self.sequence($0) < Self.sequence($1) }
  }

  /// Waits until `node` is first in line. Each round watches only the predecessor.
  /// - Returns: false when `deadlineNs` passed first.
  func waitUntilFirst(_ node: String, deadlineNs: UInt64?) async throws(ZooKeeperError) -> Bool {
    let name = String(node.split(separator: "/").last ?? "")
    while true {
      let line = try await members()
      guard let index = line.firstIndex(of: name) else { throw .server(.noNode, path: node) }
      if index == 0 { return true }
      let (stat, watch) = try await client.watchExists("\(path)/\(line[index - 1])")
      if stat == nil { continue }
      if let deadlineNs {
        let now = DispatchTime.now().uptimeNanoseconds
        if now >= deadlineNs { return false }
        let fired = await waitForEvent(watch, timeoutNs: deadlineNs - now)
        if !fired { return false }
      } else {
        _ = try await watch.event()
      }
    }
  }
}

/// Waits for a one-shot watch for at most `timeoutNs`; returns whether it fired.
func waitForEvent(_ watch: OneShotWatch, timeoutNs: UInt64) async -> Bool {
  await withTaskGroup(of: Bool.self) { group in
    group.addTask { (try? await watch.event()) != nil }
    group.addTask {
      try? await Task.sleep(nanoseconds: timeoutNs)
      return false
    }
    let first = await group.next() ?? false
    group.cancelAll()
    return first
  }
}
