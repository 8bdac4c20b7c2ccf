using Microsoft.AspNetCore.Http;

namespace MetricPipeline.ServiceDefaults;

/// <summary>
/// Gives the problems that the framework writes itself (no route, wrong method, a body it could not bind) the
/// <c>detail</c> every error of this API carries.
/// </summary>
public static class ProblemDetailText
{
    public static void Fill(ProblemDetailsContext context)
    {
        if (!string.IsNullOrEmpty(context.ProblemDetails.Detail))
        {
            return;
        }

        var request = context.HttpContext.Request;
        var target = $"{request.Method} {request.Path}";
        context.ProblemDetails.Detail = context.ProblemDetails.Status switch
        {
            StatusCodes.Status404NotFound => $"no endpoint answers {target}; the API's endpoints are listed at /openapi/v1.json and in the README",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}",
            StatusCodes.Status415UnsupportedMediaType => $"Content-Type '{request.ContentType}' is not accepted by {target}",
            StatusCodes.Status400BadRequest => $"the request to {target} could not be read",
            >= 500 => "the server failed to handle the request; it has been logged",
            _ => $"{target} answered {context.ProblemDetails.Status}",
        };
    }
}
