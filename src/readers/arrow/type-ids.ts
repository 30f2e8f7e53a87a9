/**
 * Arrow type ids: the Type union of the format's Schema.fbs, which apache-arrow's `Type` enum repeats
 * (plus its own −1 for dictionary-encoded data). Kept here so the readers need no runtime import of
 * apache-arrow until a file is opened: importing it costs ~50–100 ms of start-up.
 */
export const TYPE_INT = 2
export const TYPE_FLOAT = 3
export const TYPE_UTF8 = 5
export const TYPE_BOOL = 6
export const TYPE_FIXED_SIZE_LIST = 16
export const TYPE_LARGE_UTF8 = 20
/** The last id of the format's Type union (LargeListView). */
export const TYPE_MAX = 26
/** apache-arrow only: a dictionary-encoded column's `Data` (the file's type is the values' type). */
export const TYPE_DICTIONARY = -1
