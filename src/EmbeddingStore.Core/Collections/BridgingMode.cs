// Copyright (c) EmbeddingStore contributors. Licensed under the MIT License.

namespace EmbeddingStore.Core.Collections;

/// <summary>Whether a search may reach vectors of other versions through links. A caller that must not see bridged results can say so.</summary>
public enum BridgingMode
{
    /// <summary>Search every version the collection holds that the query reaches natively or through links.</summary>
    Auto,

    /// <summary>Search only versions the query carries a vector for; anything else is refused, never bridged.</summary>
    None,
}
