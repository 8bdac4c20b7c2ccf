using System.CommandLine;

namespace MetricPipeline.Cli.Commands;

internal static class DecomposeCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "CSV with a header; series in column y (or the last column)", Required = true };
        var command = new Command("decompose", "STL (one period) or MSTL (several) of a CSV series; writes CSV to stdout") { input };
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("decompose: not implemented yet");
            return 2;
        });
        return command;
    }
}
