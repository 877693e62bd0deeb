// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

using System.ComponentModel.DataAnnotations;

namespace EmbeddingStore.Admin.Cli;

// Options records are checked with DataAnnotations, the mechanism the server's requests and options use: attributes
// name the option in their message ([Display(Name = "--k")]), and IValidatableObject holds the rules across options.
internal static class OptionsValidation
{
    // The first failure as one line, or null when the options are valid.
    public static string? FirstError(object options)
    {
        var results = new List<ValidationResult>();
        return Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true)
            ? null
            : results[0].ErrorMessage;
    }
}
