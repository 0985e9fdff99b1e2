import Foundation
import Glibc

/// Runs a command to its end (bounded by `timeoutSeconds`, then SIGKILL to its process group),
/// with output to `logPath`. Spawned with posix_spawn, an empty signal mask and default signal
/// handlers, and waited for with waitpid: scripts that start daemons of their own (cluster/chaos)
/// must see SIGTERM and SIGCHLD as a shell normally does, whatever the test runner blocked.
/// Returns the exit status (or -1 when it had to be killed).
func runToEnd(_ arguments: [String], environment: [String: String], logPath: String, timeoutSeconds: Double) throws -> Int32 {
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  posix_spawn_file_actions_adddup2(&actions, 1, 2)
  var attributes = posix_spawnattr_t()
  posix_spawnattr_init(&attributes)
  defer { posix_spawnattr_destroy(&attributes) }
  var empty = sigset_t()
  sigemptyset(&empty)
  posix_spawnattr_setsigmask(&attributes, &empty)
  var defaults = sigset_t()
  sigemptyset(&defaults)
  for signal in [SIGTERM, SIGINT, SIGCHLD, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
  posix_spawnattr_setsigdefault(&attributes, &defaults)
  posix_spawnattr_setpgroup(&attributes, 0)
  posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
  let argv = arguments.map { strdup($0) } + [nil]
  let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
  defer {
    for p in argv { free(p) }
    for p in envp { free(p) }
  }
  var pid: pid_t = 0
  let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
  guard result == 0 else { throw TestFailure("posix_spawn \(arguments[0]): \(String(cString: strerror(result)))") }
  let deadline = Date().addingTimeInterval(timeoutSeconds)
  var status: Int32 = 0
  while true {
    let done = waitpid(pid, &status, WNOHANG)
    if done == pid { break }
    if Date() >= deadline {
      kill(-pid, SIGKILL)
      waitpid(pid, &status, 0)
      return -1
    }
    usleep(100_000)
  }
  // Daemons the script left behind (a cluster whose start failed half way) share its process
  // group: end them too, so a failing run leaks nothing into the next test.
  kill(-pid, SIGKILL)
  // WIFEXITED / WEXITSTATUS, spelled out (they are macros in C).
  return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
}
