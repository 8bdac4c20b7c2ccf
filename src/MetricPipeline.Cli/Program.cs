using System.CommandLine;
using MetricPipeline.Cli;
using MetricPipeline.Cli.Commands;

var root = new RootCommand("metricpipe — product-metrics pipeline: offline analysis and server client");
root.Options.Add(GlobalOptions.Server);
root.Options.Add(GlobalOptions.Key);

// Offline analysis (no server needed)
root.Subcommands.Add(DecomposeCommand.Create());

// Against a server
root.Subcommands.Add(SendCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(MetricsCommand.Create());
root.Subcommands.Add(HistoryCommand.Create());
root.Subcommands.Add(DeployCommand.Create());
root.Subcommands.Add(AlertsCommand.Create());

return await root.Parse(args).InvokeAsync();
