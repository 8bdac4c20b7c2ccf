using MetricPipeline.Evaluation;

var what = args.Length > 0 ? args[0] : "all";
var verbose = args.Contains("--verbose");
switch (what)
{
    case "tcpd":
        TcpdEvaluation.PrintReport(verbose);
        break;
    case "sweep":
        TcpdEvaluation.Sweep();
        break;
    case "all":
        TcpdEvaluation.PrintReport(verbose);
        break;
    default:
        Console.Error.WriteLine($"unknown evaluation '{what}': use all, tcpd, product, nyc-taxi or sweep");
        return 2;
}

return 0;
