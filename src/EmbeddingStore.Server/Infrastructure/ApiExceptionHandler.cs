// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace EmbeddingStore.Server.Infrastructure;

// Turns exceptions into problem+json. Bad requests (unreadable JSON, wrong types, missing or unknown fields, a body
// over the size limit) keep their explanation, because it describes the caller's own input; anything else is a 500
// whose body never carries exception text (it is logged instead).
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problemDetails, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        string detail;
        if (exception is BadHttpRequestException bad)
        {
            // 408 (stalled body), 413 (too large) and 415 (missing or wrong Content-Type) say more than a plain 400.
            status = bad.StatusCode is StatusCodes.Status408RequestTimeout or StatusCodes.Status413PayloadTooLarge or StatusCodes.Status415UnsupportedMediaType
                ? bad.StatusCode
                : StatusCodes.Status400BadRequest;
            detail = DescribeBadRequest(bad);
        }
        else
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            status = StatusCodes.Status500InternalServerError;
            detail = "The server failed to process the request. The error was logged; the request may be retried.";
        }

        // Type and title come from the one status table that framework-made problems use too.
        (string type, string title) = ProblemMapping.ForStatus(status)!.Value;
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };

        httpContext.Response.StatusCode = problem.Status!.Value;
        if (status is StatusCodes.Status408RequestTimeout or StatusCodes.Status413PayloadTooLarge)
        {
            // The rest of the body is never read, so the connection cannot carry another request: say so, or a client
            // that reuses it (Node's fetch does) sends its next request into a socket the server is about to close.
            httpContext.Response.Headers.Connection = "close";
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        }).ConfigureAwait(false);
    }

    private static string DescribeBadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return "The request body exceeds the configured maximum size (Limits:MaxRequestBodyBytes).";
        }

        // JsonException messages name the JSON path and position of the problem in the caller's own body.
        for (Exception? inner = bad.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                // Some messages (an unknown member, a converter's own refusal of a bad base64 vector) carry no path of their
                // own; the exception still knows it, so the field is named.
                string path = json.Path is { } at && !json.Message.Contains(at, StringComparison.Ordinal) && !json.Message.Contains("Path:", StringComparison.Ordinal)
                    ? $" Path: {at}."
                    : string.Empty;
                return "The request body is not valid for this operation: " + json.Message + path;
            }
        }

        return bad.Message;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
