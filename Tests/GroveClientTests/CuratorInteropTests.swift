import Foundation
import GroveClient
import Testing

/// Curator's x-discovery (Debian's libcurator-discovery-java) and Java, when installed.
enum Curator {
  static let jars = "/usr/share/java/curator-x-discovery.jar"
  static let available: Bool = {
    let ok = FileManager.default.fileExists(atPath: jars) && FileManager.default.fileExists(atPath: "/usr/bin/javac")
    if !ok { print("Curator interop test SKIPPED: install libcurator-discovery-java and a JDK to run it") }
    return ok
  }()
  static let source = LiveServer.packageRoot + "/compat/curator"

  /// Compiles CuratorDiscovery.java once per process; returns the java command prefix.
  static let compiled: Result<String, any Error> = Result {
    let classes = NSTemporaryDirectory() + "grove-curator-\(getpid())"
    try LiveServer.run([
      "-c", "mkdir -p \(classes) && javac -d \(classes) -cp \"$(bash \(source)/classpath.sh)\" \(source)/CuratorDiscovery.java",
    ])
    return "java -cp \"\(classes):$(bash \(source)/classpath.sh)\" CuratorDiscovery"
  }

  /// Runs CuratorDiscovery with `arguments`, output to `outputPath`; returns its pid.
  static func spawn(_ arguments: String, outputPath: String) throws -> pid_t {
    let java = try compiled.get()
    let command = "exec \(java) \(arguments) > \(outputPath) 2>/dev/null"
    let words: [String] = ["/bin/bash", "-c", command]
    let argv = words.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    guard spawnDetachedFromOutput(&pid, argv) == 0 else { throw TimedOut(seconds: 0) }
    return pid
  }

  static func wait(_ pid: pid_t) {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
  }

  /// Waits for `pid` on a thread of its own: a blocking waitpid on one of the few cooperative
  /// threads (two on a 2-core machine) starves every other test's tasks while a JVM starts.
  static func exited(_ pid: pid_t) async {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      Thread.detachNewThread {
        wait(pid)
        done.resume()
      }
    }
  }
}

@Suite("GroveClient: interoperability with Curator's x-discovery", .enabled(if: LiveServer.available && Curator.available), .timeLimit(.minutes(3)))
struct CuratorInteropTests {
  @Test("a Java service registered with Curator is discovered from Swift, and the reverse")
  func bothWays() async throws {
    let server = try await LiveServer.connectString()
    let base = uniqueRoot("curator")
    try await withClient(server) { client in
      let discovery = ServiceDiscovery<String>(client: client, basePath: base)
      try await discovery.register(
        ServiceInstance(name: "svc", id: "swift-1", address: "10.0.0.1", port: 80, payload: "swift-payload",
                        uriSpec: UriSpec("{scheme}://{address}:{port}")))
      // Java lists what Swift registered.
      let listing = NSTemporaryDirectory() + "curator-list-\(getpid()).txt"
      await Curator.exited(try Curator.spawn("list \(server) \(base) svc", outputPath: listing))
      let listed = (try? String(contentsOfFile: listing, encoding: .utf8)) ?? ""
      #expect(listed.contains("swift-1 10.0.0.1 80 swift-payload"), "Curator listed: \(listed)")
      // Swift discovers what Java registers. Java holds the registration until stopped, so a
      // loaded machine cannot make the poll miss it.
      let registered = NSTemporaryDirectory() + "curator-reg-\(getpid()).txt"
      let pid = try Curator.spawn("register \(server) \(base) svc java-1 8080 120", outputPath: registered)
      let found: ServiceInstance<String>
      do {
        found = try await within(120) {
          while true {
            let instances = try await discovery.instances(of: "svc")
            if let java = instances.first(where: { $0.id == "java-1" }) { return java }
            try await Task.sleep(for: .milliseconds(100))
          }
        }
      } catch {
        kill(pid, SIGTERM)
        await Curator.exited(pid)
        throw error
      }
      kill(pid, SIGTERM)
      await Curator.exited(pid)
      #expect(found.address == "10.0.0.7")
      #expect(found.port == 8080)
      #expect(found.payload == "java-payload")
      #expect(found.serviceType == .dynamic)
      #expect(found.uriSpec == UriSpec("{scheme}://{address}:{port}"))
    }
    try await withClient(server) { try await $0.deleteRecursively(base) }
  }
}
