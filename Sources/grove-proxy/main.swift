import Glibc
import Transport

// grove-proxy --listen HOST:PORT --target HOST:PORT --control [HOST:]PORT [--source HOST] [--seed N]
// grove-proxy ctl [HOST:]PORT COMMAND [ARGUMENT]

let usageText = """
  usage: grove-proxy --listen HOST:PORT --target HOST:PORT --control [HOST:]PORT [--source HOST] [--seed N]
         grove-proxy ctl [HOST:]PORT COMMAND [ARGUMENT]
  commands: \(ControlCommand.usage)
  """

/// A line on standard output or error, written straight to the descriptor.
func printLine(_ line: String, to descriptor: Int32 = 1) {
  let bytes = Array((line + "\n").utf8)
  _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}

func fail(_ message: String, status: Int32 = 2) -> Never {
  printLine("grove-proxy: \(message)", to: 2)
  exit(status)
}

do {
  let arguments = Array(CommandLine.arguments.dropFirst())
  if arguments.first == "ctl" {
    guard arguments.count >= 3 else { fail(usageText) }
    let address = try ProxyArguments.controlAddress(arguments[1])
    let answer = try sendControlCommand(arguments[2...].joined(separator: " "), to: address)
    printLine(answer)
    exit(answer.hasPrefix("ok") ? 0 : 1)
  }
  let config = try ProxyArguments.parse(arguments)
  let loop = try EventLoop(name: "grove-proxy")
  let (listen, control) = try loop.runAndWait {
    let proxy = Proxy(loop: loop, config: config)
    try proxy.start()
    return (proxy.listenAddress, proxy.controlAddress)
  }
  let source = config.sourceHost.map { " from \($0.host)" } ?? ""
  printLine("grove-proxy: \(listen) -> \(config.targetAddress)\(source), control \(control)")
  loop.waitUntilStopped()
} catch let error as ProxyArgumentError {
  fail("\(error)\n\(usageText)")
} catch {
  fail("\(error)", status: 1)
}
