import Foundation
import GroveClient
import Testing

/// The server the live tests talk to: `GROVE_TEST_SERVER=host:port` when set (run the same
/// tests against Grove), else an Apache ZooKeeper 3.8 started once per test process through
/// `compat/zookeeper.sh` on a loopback port, and stopped when the process exits.
enum LiveServer {
  /// The package root, from this file's path.
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  static let script = packageRoot + "/compat/zookeeper.sh"

  /// Whether live tests can run: a server was given, or ZooKeeper is installed or installable.
  static let available: Bool = {
    if ProcessInfo.processInfo.environment["GROVE_TEST_SERVER"] != nil { return true }
    if FileManager.default.fileExists(atPath: "/usr/share/zookeeper/bin/zkServer.sh") { return true }
    let canInstall = getuid() == 0 && FileManager.default.fileExists(atPath: "/usr/bin/apt-get")
    if !canInstall {
      print("GroveClient live tests SKIPPED: ZooKeeper is not installed and cannot be installed here")
    }
    return canInstall
  }()

  /// A server started by this process, stopped at exit.
  final class Started: Sendable {
    let directory: String
    let port: UInt16
    init(directory: String, port: UInt16) {
      self.directory = directory
      self.port = port
    }
    var connectString: String { "127.0.0.1:\(port)" }
  }

  /// The shared server's connect string, starting it on first use.
  static func connectString() async throws -> String {
    if let given = ProcessInfo.processInfo.environment["GROVE_TEST_SERVER"] { return given }
    return try await shared.value.connectString
  }

  private static let shared = Task { try await offPool { try startZooKeeper(tag: "shared") } }

  /// Runs blocking work (process spawns and waits) on a Dispatch thread, not the cooperative
  /// pool, so tests running meanwhile keep their threads.
  static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
  }

  /// Starts a private ZooKeeper (for tests that restart it).
  static func startZooKeeper(tag: String) throws -> Started {
    let port = try freeLoopbackPort()
    let directory = NSTemporaryDirectory() + "grove-client-zk-\(getpid())-\(tag)"
    try run([script, "start", directory, String(port)])
    let started = Started(directory: directory, port: port)
    registerStop(directory)
    return started
  }

  /// A port no one listens on now: the kernel's choice for a socket bound to port 0, released
  /// at once (fixed port formulas collide with other servers on a shared machine).
  static func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ZooKeeperError.invalidArgument("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
      }
    }
    guard bound else { throw ZooKeeperError.invalidArgument("no free loopback port") }
    return UInt16(bigEndian: address.sin_port)
  }

  static func stop(_ server: Started) throws { try run([script, "stop", server.directory]) }

  static func restart(_ server: Started) throws {
    try run([script, "stop", server.directory])
    try run([script, "start", server.directory, String(server.port)])
  }

  /// Runs a command and waits for it (posix_spawn + waitpid: Foundation's Process can miss
  /// the exit of a script whose background child keeps running).
  static func run(_ arguments: [String]) throws {
    let argv = (["/bin/bash"] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    guard spawnDetachedFromOutput(&pid, argv) == 0 else {
      throw ZooKeeperError.invalidArgument("cannot run \(arguments)")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    guard status == 0 else {
      throw ZooKeeperError.invalidArgument("\(arguments.joined(separator: " ")) exited with status \(status)")
    }
  }

  private static let toStop = Mutex<[String]>([])

  private static func registerStop(_ directory: String) {
    let first = toStop.withLock { list in
      list.append(directory)
      return list.count == 1
    }
    if first {
      atexit {
        for directory in LiveServer.toStop.withLock({ $0 }) {
          try? LiveServer.run([LiveServer.script, "stop", directory])
        }
      }
    }
  }
}

import Synchronization

/// posix_spawn of /bin/bash with stdin, stdout and stderr on /dev/null: the test process's
/// own output is a pipe to the test runner, and a child (or the server it leaves running)
/// holding or writing to it can stall the run.
func spawnDetachedFromOutput(_ pid: inout pid_t, _ argv: [UnsafeMutablePointer<CChar>?]) -> Int32 {
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  for fd: Int32 in [0, 1, 2] {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
  }
  return posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ)
}

/// A fresh, unique node path for one test, so tests can run side by side on one server.
func uniqueRoot(_ name: String) -> String {
  "/t-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
}

/// Runs `body` with a connected client, closing it afterwards.
func withClient<T>(
  _ connectString: String, timeout: Duration = .seconds(10), _ body: (GroveClient) async throws -> T
) async throws -> T {
  let client = try await GroveClient.connect(connectString, sessionTimeout: timeout)
  do {
    let result = try await body(client)
    await client.close()
    return result
  } catch {
    await client.close()
    throw error
  }
}

/// Awaits `operation` for at most `seconds`; throws `TimedOut` if it does not finish in time.
/// The operation runs in a task of its own that is cancelled (not awaited) on timeout, so a
/// stuck operation cannot hold the test past the bound.
func within<T: Sendable>(_ seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
  let outcome = Once()
  return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
    let worker = Task {
      let result = await Result(catching: { try await operation() })
      if outcome.claim() { continuation.resume(with: result) }
    }
    Task {
      try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
      if outcome.claim() {
        worker.cancel()
        continuation.resume(throwing: TimedOut(seconds: seconds))
      }
    }
  }
}

extension Result where Failure == any Error {
  init(catching body: () async throws -> Success) async {
    do { self = .success(try await body()) } catch { self = .failure(error) }
  }
}

/// A flag that exactly one caller can claim.
final class Once: Sendable {
  private let done = Mutex(false)
  /// True for the first caller only.
  func claim() -> Bool { done.withLock { done in defer { done = true }; return !done } }
}

struct TimedOut: Error, CustomStringConvertible {
  var seconds: Double
  var description: String { "timed out after \(seconds) s" }
}

/// Collects what an async sequence yields, on a task of its own, so tests can wait for a
/// condition with a bound instead of blocking on `next()`.
final class Collector<Element: Sendable>: Sendable {
  final class Box: Sendable {
    let items = Mutex<[Element]>([])
  }
  private let box = Box()
  private let task = Mutex<Task<Void, Never>?>(nil)

  init<S: AsyncSequence & Sendable>(_ sequence: S) where S.Element == Element {
    let started = Task { [box] in
      do {
        for try await item in sequence { box.items.withLock { $0.append(item) } }
      } catch {}
    }
    task.withLock { $0 = started }
  }

  deinit { task.withLock { $0 }?.cancel() }

  var all: [Element] { box.items.withLock { $0 } }

  /// Waits (polling every 10 ms, at most `seconds`) until `condition` holds for what was
  /// collected; returns the items then, or throws `TimedOut`.
  @discardableResult
  func wait(seconds: Double = 10, until condition: ([Element]) -> Bool) async throws -> [Element] {
    let rounds = Int(seconds * 100)
    for _ in 0..<rounds {
      let now = all
      if condition(now) { return now }
      try await Task.sleep(for: .milliseconds(10))
    }
    throw TimedOut(seconds: seconds)
  }
}
