// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Admin.Cli;

// esadmin's exit codes, one meaning each, so a script can tell "fix the command line" from "the server said no" from
// "the server is not there" without parsing the message (README, "esadmin").
internal static class ExitCodes
{
    // Done.
    public const int Ok = 0;

    // The server refused (a problem+json answer, printed as one line) or the work reported a fault (verify, a failed job).
    public const int Refused = 1;

    // Bad input: an unknown command or option, a malformed value, a missing argument. Nothing was sent.
    public const int Usage = 2;

    // The server could not be reached or did not answer in time (connection refused, DNS, timeout).
    public const int Unreachable = 3;
}
