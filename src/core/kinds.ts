/** The kinds of input focalscope tells apart, shared by readers, evaluators and the report. */

/** binary: one sigmoid per row; multiclass: a softmax over K classes; multilabel: one sigmoid per class and row. */
export type Task = 'binary' | 'multiclass' | 'multilabel'
/** Which loss the sweep, split and class figures sum. */
export type LossVariant = 'ce' | 'focal' | 'varifocal' | 'poly1'
export type ScoreKind = 'logits' | 'probs'
export type FileFormat = 'csv' | 'arrow' | 'parquet'
