export const HELP = `rr: a PHP application server (RoadRunner-compatible)

Usage:
  rr [command] [flags]

Commands:
  serve            Start the server with the plugins the configuration enables
  plugins list     List every known plugin, whether it is enabled (and why not), and the start order
  plugins graph    Print the plugin dependency graph in Graphviz DOT
  reset [plugin…]  Reset workers of all (or the named) plugins over RPC
  workers [plugin…] Show workers of all (or the named) plugins over RPC (-i: refresh every second)
  jobs --list      List the jobs pipelines over RPC
  jobs --pause p1,p2 | --resume p1,p2 | --destroy p1,p2
                   Pause, resume or destroy jobs pipelines over RPC
  stop             Send SIGTERM to the server whose PID is in ./.pid (-f: force)
  help             Show this help

Global flags (before or after the command):
  -c, --config <path>         configuration file (default ".rr.yaml")
  -w, --WorkDir <dir>         working directory (default: the configuration file's directory)
      --dotenv <path>         .env file to load (DOTENV_PATH overrides it)
  -o, --override key=value    override a configuration key (repeatable), e.g. -o http.address=:8080
  -e, --enable-experimental   enable experimental features
  -s, --silent                do not print rr's own messages
  -p, --pid                   write the server's PID to ./.pid
  -v, --version               print the version
  -h, --help                  show this help
`;
