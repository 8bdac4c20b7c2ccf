using System.CommandLine;
using MetricPipeline.Cli;
using MetricPipeline.Cli.Commands;

var root = new RootCommand("metricpipe — product-metrics pipeline: offline analysis and server client");
root.Options.Add(GlobalOptions.Server);
root.Options.Add(GlobalOptions.Key);

// Offline analysis (no server needed)
root.Subcommands.Add(DecomposeCommand.Create());
root.Subcommands.Add(ChangePointsCommand.Create());
root.Subcommands.Add(DetectCommand.Create());

// Against a server
root.Subcommands.Add(SendCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(MetricsCommand.Create());
root.Subcommands.Add(HistoryCommand.Create());
root.Subcommands.Add(DeployCommand.Create());
root.Subcommands.Add(AlertsCommand.Create());
root.Subcommands.Add(DbCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // The contract: a non-zero exit code and one line on stderr.
    var command = parse.CommandResult.Command == root ? string.Empty : parse.CommandResult.Command.Name + " ";
    Console.Error.WriteLine($"metricpipe: {parse.Errors[0].Message.ReplaceLineEndings(" ")} (see metricpipe {command}--help)");
    return 1;
}

return await parse.InvokeAsync();
