using MetricPipeline.Evaluation;

var what = args.Length > 0 ? args[0] : "all";
var verbose = args.Contains("--verbose");
switch (what)
{
    case "tcpd":
        TcpdEvaluation.PrintReport(verbose);
        break;
    case "product":
        ProductEvaluation.PrintReport(Periods(args));
        break;
    case "nyc-taxi":
        NabEvaluation.PrintReport(onlyTaxi: true);
        break;
    case "nab":
        NabEvaluation.PrintReport(onlyTaxi: false);
        break;
    case "sweep":
        TcpdEvaluation.Sweep();
        break;
    case "all":
        TcpdEvaluation.PrintReport(verbose);
        ProductEvaluation.PrintReport(Periods(args));
        NabEvaluation.PrintReport(onlyTaxi: false);
        break;
    default:
        Console.Error.WriteLine($"unknown evaluation '{what}': use all, tcpd, product, nyc-taxi, nab or sweep");
        return 2;
}

return 0;

static int[] Periods(string[] args)
{
    var at = Array.IndexOf(args, "--period");
    return at >= 0 && at + 1 < args.Length ? [.. args[at + 1].Split(',').Select(int.Parse)] : [24, 168];
}
