/**
 * How a reference library turns the element losses into the one number it prints: the sum divided by
 *   sum             1
 *   mean            the number of loss elements (rows; rows × K for multi-label)  — torch `.mean()`
 *   mean-classes    rows × K for every task (kornia ≥ 0.7 keeps a zero-padded N × C loss tensor)
 *   class-mean-sum  K for multi-label, 1 otherwise  — ultralytics `.mean(1).sum()`
 *   positives       max(1, positive-target elements)  — RetinaNet (Lin et al. 2017): the number of positive
 *                   anchors when each positive anchor has one positive class
 *   avg-factor      max(1, positive-target elements) + 2^-23  — mmdet's weight_reduce_loss divides by
 *                   `avg_factor + torch.finfo(torch.float32).eps` (avg_factor: RetinaHead's positive anchors)
 */
export const REDUCTIONS = ['sum', 'mean', 'mean-classes', 'class-mean-sum', 'positives', 'avg-factor'] as const
export type Reduction = (typeof REDUCTIONS)[number]
