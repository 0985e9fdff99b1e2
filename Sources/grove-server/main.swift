import Glibc
import ServerRuntime

/// grove-server --config FILE [--log-level debug|info|warn|error]
func usage() -> Never {
  printError("usage: grove-server --config FILE [--log-level debug|info|warn|error]")
  exit(2)
}

/// A line on standard error, written straight to fd 2 (no shared C stdio state).
func printError(_ line: String) {
  let bytes = Array((line + "\n").utf8)
  _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

var configPath: String?
var level = LogLevel.info
if let name = getenv("GROVE_LOG_LEVEL").map({ String(cString: $0) }) {
  switch name {
  case "debug": level = .debug
  case "warn": level = .warn
  case "error": level = .error
  default: level = .info
  }
}
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
  switch argument {
  case "--config", "-c":
    guard let value = arguments.popFirst() else { usage() }
    configPath = value
  case "--log-level":
    switch arguments.popFirst() {
    case "debug": level = .debug
    case "info": level = .info
    case "warn": level = .warn
    case "error": level = .error
    default: usage()
    }
  case "--help", "-h":
    usage()
  default:
    if configPath == nil && !argument.hasPrefix("-") {
      configPath = argument  // as zkServer.sh: the config file as the only argument
    } else {
      printError("grove-server: unknown argument '\(argument)'")
      usage()
    }
  }
}
guard let configPath else { usage() }

GroveServer.blockTerminationSignals()
do {
  let server = try GroveServer.start(configPath: configPath, logLevel: level)
  server.runUntilSignalled()
  exit(0)
} catch {
  printError("grove-server: \(error)")
  exit(1)
}
