;; The CSV fast path for `label,score_0,…,score_{K−1}` (plain-records.ts, parseLabelThenScores: its plain
;; version, and the contract) in WebAssembly: the same scan, the same doubles.
;;
;; Why WebAssembly: V8 reloads and rechecks a Uint8Array's length and data pointer at each loop back edge
;; and bounds-checks every byte; here a byte is one load, and the digits of a number are read eight at a
;; time. See plain-scores.ts for the measurements.
;;
;; Memory (laid out by plain-scores.ts): POW10 (23 f64: 10^0 … 10^22, exact) at $pow10, 10^0 … 10^8 as i64
;; at $pow10i, 10^e as pairs of f64 for e = −280 … 280 at $pow10pairs (pow10-pairs.ts), the input bytes (read 8 at a time: up to 7 bytes after the last LF are read, never used),
;; the labels (i32) and the scores (f64) the loop writes, row after row from 0.
;; Generate plain-scores-wasm.ts from this file with `node scripts/build-wasm.mjs`.
(module
  (memory (export "memory") 1)
  ;; Where the scan stopped: the byte offset of the first record it did not take.
  (global $stop (export "stop") (mut i32) (i32.const 0))
  ;; Set when the scan stopped at a number past 10^±22 because $pow10pairs was 0 (no table yet): the caller
  ;; lays the table out and calls again from $stop (plain-scores.ts), so a file without such numbers never
  ;; pays for making it.
  (global $needPairs (export "needPairs") (mut i32) (i32.const 0))

  ;; The digits M (16 to 19 of them: M < 10^19 < 2^64, read as unsigned) times 10^e, |e| ≤ 22, exactly as
;; parseLongDecimal (long-decimal.ts) computes it: the same operations in the same order, so the same double
;; (WebAssembly rounds every f64 operation to nearest and never fuses a multiply and an add, as JavaScript).
;; Only step 1 differs in form: M = hi + lo with hi = fl(M) comes here from the 64-bit integer (hi by one
;; correctly rounded conversion, lo = M − hi exactly, |lo| ≤ 2^10), where JavaScript needs two-sums.
;; NaN when v lies too near a midpoint between two doubles to be sure (the caller then stops there).
(func $long_decimal (param $m i64) (param $e i32) (param $pow10 i32) (result f64)
  (local $hi f64) (local $lo f64) (local $d f64) (local $t f64) (local $dh f64) (local $dl f64)
  (local $q f64) (local $c f64) (local $p f64) (local $qh f64) (local $ql f64) (local $eps f64) (local $r f64)
  (local.set $hi (f64.convert_i64_u (local.get $m)))
  ;; hi ≤ 10^19 < 2^64, an integer: its conversion back is exact.
  (local.set $lo (f64.convert_i64_s (i64.sub (local.get $m) (i64.trunc_f64_u (local.get $hi)))))
  (if (i32.eqz (local.get $e)) (then (return (local.get $hi))))
  (local.set $d
    (f64.load (i32.add (local.get $pow10)
      (i32.shl (select (i32.sub (i32.const 0) (local.get $e)) (local.get $e) (i32.lt_s (local.get $e) (i32.const 0)))
        (i32.const 3)))))
  ;; Dekker's exact product: Veltkamp splits by 2^27 + 1.
  (local.set $t (f64.mul (f64.const 134217729) (local.get $d)))
  (local.set $dh (f64.sub (local.get $t) (f64.sub (local.get $t) (local.get $d))))
  (local.set $dl (f64.sub (local.get $d) (local.get $dh)))
  (if (i32.lt_s (local.get $e) (i32.const 0))
    (then
      ;; q = hi / d; c = (hi − p − error + lo) / d, p + error = q · d exactly.
      (local.set $q (f64.div (local.get $hi) (local.get $d)))
      (local.set $p (f64.mul (local.get $q) (local.get $d)))
      (local.set $t (f64.mul (f64.const 134217729) (local.get $q)))
      (local.set $qh (f64.sub (local.get $t) (f64.sub (local.get $t) (local.get $q))))
      (local.set $ql (f64.sub (local.get $q) (local.get $qh)))
      (local.set $c
        (f64.div
          (f64.add
            (f64.sub
              (f64.sub (local.get $hi) (local.get $p))
              ;; error = ql·dl − (p − qh·dh − ql·dh − qh·dl)
              (f64.sub (f64.mul (local.get $ql) (local.get $dl))
                (f64.sub
                  (f64.sub (f64.sub (local.get $p) (f64.mul (local.get $qh) (local.get $dh)))
                    (f64.mul (local.get $ql) (local.get $dh)))
                  (f64.mul (local.get $qh) (local.get $dl)))))
            (local.get $lo))
          (local.get $d))))
    (else
      ;; q = hi · d; c = hl·dl − (q − hh·dh − hl·dh − hh·dl) + lo · d.
      (local.set $q (f64.mul (local.get $hi) (local.get $d)))
      (local.set $t (f64.mul (f64.const 134217729) (local.get $hi)))
      (local.set $qh (f64.sub (local.get $t) (f64.sub (local.get $t) (local.get $hi))))
      (local.set $ql (f64.sub (local.get $hi) (local.get $qh)))
      (local.set $c
        (f64.add
          (f64.sub (f64.mul (local.get $ql) (local.get $dl))
            (f64.sub
              (f64.sub (f64.sub (local.get $q) (f64.mul (local.get $qh) (local.get $dh)))
                (f64.mul (local.get $ql) (local.get $dh)))
              (f64.mul (local.get $qh) (local.get $dl))))
          (f64.mul (local.get $lo) (local.get $d))))))
  ;; Every real within 2^-75 · |q| of q + c rounds to one double, or give up.
  (local.set $eps (f64.mul (f64.abs (local.get $q)) (f64.const 2.6469779601696886e-23)))
  (local.set $r (f64.add (local.get $q) (f64.add (local.get $c) (local.get $eps))))
  (if (result f64) (f64.eq (local.get $r) (f64.add (local.get $q) (f64.sub (local.get $c) (local.get $eps))))
    (then (local.get $r))
    (else (f64.const nan))))

  ;; The digits M (up to 19: M < 10^19 < 2^64) times 10^e for 22 < |e| (−280 ≤ e ≤ 280), where 10^e is no
;; double: with 10^e = ph + pl from the table at $pairs (pow10-pairs.ts; |error| ≤ 2^-100 · 10^e) and
;; M = hi + lo as in $long_decimal, v = M · 10^e = q + c to ~2^-100 of itself, q = fl(hi · ph) and
;; c = (hi · ph − q, exactly by Dekker's product) + hi · pl + lo · ph. Then the midpoint check of
;; $long_decimal: if every real within 2^-75 · |q| of q + c rounds to one double, that is the correctly
;; rounded v (what Number() gives); else NaN, and the record is left to JavaScript.
(func $scaled_decimal (param $m i64) (param $e i32) (param $pairs i32) (result f64)
  (local $hi f64) (local $lo f64) (local $ph f64) (local $pl f64) (local $t f64) (local $hh f64) (local $hl f64)
  (local $pph f64) (local $ppl f64) (local $q f64) (local $c f64) (local $eps f64) (local $r f64) (local $at i32)
  (local.set $hi (f64.convert_i64_u (local.get $m)))
  (local.set $lo (f64.convert_i64_s (i64.sub (local.get $m) (i64.trunc_f64_u (local.get $hi)))))
  (local.set $at (i32.add (local.get $pairs) (i32.shl (i32.add (local.get $e) (i32.const 280)) (i32.const 4))))
  (local.set $ph (f64.load (local.get $at)))
  (local.set $pl (f64.load offset=8 (local.get $at)))
  (local.set $q (f64.mul (local.get $hi) (local.get $ph)))
  (local.set $t (f64.mul (f64.const 134217729) (local.get $hi)))
  (local.set $hh (f64.sub (local.get $t) (f64.sub (local.get $t) (local.get $hi))))
  (local.set $hl (f64.sub (local.get $hi) (local.get $hh)))
  (local.set $t (f64.mul (f64.const 134217729) (local.get $ph)))
  (local.set $pph (f64.sub (local.get $t) (f64.sub (local.get $t) (local.get $ph))))
  (local.set $ppl (f64.sub (local.get $ph) (local.get $pph)))
  (local.set $c
    (f64.add
      ;; hi · ph − q = hl·ppl − (q − hh·pph − hl·pph − hh·ppl), exactly
      (f64.sub (f64.mul (local.get $hl) (local.get $ppl))
        (f64.sub
          (f64.sub (f64.sub (local.get $q) (f64.mul (local.get $hh) (local.get $pph)))
            (f64.mul (local.get $hl) (local.get $pph)))
          (f64.mul (local.get $hh) (local.get $ppl))))
      (f64.add (f64.mul (local.get $hi) (local.get $pl)) (f64.mul (local.get $lo) (local.get $ph)))))
  (local.set $eps (f64.mul (f64.abs (local.get $q)) (f64.const 2.6469779601696886e-23)))
  (local.set $r (f64.add (local.get $q) (f64.add (local.get $c) (local.get $eps))))
  (if (result f64) (f64.eq (local.get $r) (f64.add (local.get $q) (f64.sub (local.get $c) (local.get $eps))))
    (then (local.get $r))
    (else (f64.const nan))))

;; mantissa × 10^e in one correctly rounded operation (Clinger 1990), for a mantissa below 10^15 and
;; |e| ≤ 22: what the general path does inline for 15 digits or fewer, for the fast shapes' exponent forms.
(func $clinger (param $m i64) (param $e i32) (param $pow10 i32) (result f64)
  (if (result f64) (i32.lt_s (local.get $e) (i32.const 0))
    (then
      (f64.div (f64.convert_i64_u (local.get $m))
        (f64.load (i32.add (local.get $pow10) (i32.shl (i32.sub (i32.const 0) (local.get $e)) (i32.const 3))))))
    (else
      (f64.mul (f64.convert_i64_u (local.get $m))
        (f64.load (i32.add (local.get $pow10) (i32.shl (local.get $e) (i32.const 3))))))))

;; The exponent of a number in the fast shapes: at $at an 'e' or 'E', then an optional sign and 1 to 3
;; digits. Returns it and sets $suffixEnd to the byte after it; returns 1000 (no exponent those shapes
;; take: no digit, or a fourth) for the general path to read instead.
(global $suffixEnd (mut i32) (i32.const 0))
(func $exponent (param $at i32) (result i32)
  (local $c i32) (local $negative i32) (local $x i32) (local $start i32)
  (local.set $at (i32.add (local.get $at) (i32.const 1)))
  (local.set $c (i32.load8_u (local.get $at)))
  (local.set $negative (i32.eq (local.get $c) (i32.const 45)))
  (if (i32.or (local.get $negative) (i32.eq (local.get $c) (i32.const 43)))
    (then (local.set $at (i32.add (local.get $at) (i32.const 1)))))
  (local.set $start (local.get $at))
  (block $done
    (loop $digit
      (local.set $c (i32.sub (i32.load8_u (local.get $at)) (i32.const 48)))
      (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
      (br_if $done (i32.eq (i32.sub (local.get $at) (local.get $start)) (i32.const 3)))
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 10)) (local.get $c)))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (br $digit)))
  (if (i32.or (i32.eq (local.get $at) (local.get $start)) (i32.le_u (local.get $c) (i32.const 9)))
    (then (return (i32.const 1000))))
  (global.set $suffixEnd (local.get $at))
  (select (i32.sub (i32.const 0) (local.get $x)) (local.get $x) (local.get $negative)))

;; Parses plain records (after $skip ignored fields: `index,label,score_0,…`) from byte $p (the bytes
  ;; up to $end end with LF) into rows 0, 1, … (at most $maxRows);
  ;; returns the rows taken. A record it does not take (quotes, more than 19 digits, a blank line, a label
  ;; ≥ $numClasses, …) stops it, for the JavaScript paths to take.
  (func (export "parse")
    (param $p i32) (param $end i32) (param $maxRows i32) (param $width i32) (param $numClasses i32)
    (param $labels i32) (param $scores i32) (param $pow10 i32) (param $pow10i i32) (param $skip i32)
    (param $pow10pairs i32)
    (result i32)
    (local $row i32) (local $pos i32) (local $label i32) (local $start i32) (local $d i32) (local $j i32)
    (local $out i32) (local $negative i32) (local $mantissa i64) (local $digits i32) (local $fraction i32)
    (local $e i32) (local $c i32) (local $expNegative i32) (local $exponent i32) (local $value f64)
    (local $x i64) (local $n i32) (local $field i32) (local $w0 i64) (local $w1 i64) (local $zeros i32)
    (local $q i32) (local $x2 i64) (local $n2 i32) (local $n3 i32) (local $at i32) (local $ex i32)
    (local.set $pos (local.get $p))
    (local.set $out (local.get $scores))
    (block $records_done
      (loop $records
        (br_if $records_done (i32.ge_u (local.get $row) (local.get $maxRows)))
        (br_if $records_done (i32.ge_u (local.get $p) (local.get $end)))
        ;; $skip fields before the label (a pandas index column), unquoted, each up to its comma.
        (local.set $field (i32.const 0))
        (block $skipped
          (loop $skip_field
            (br_if $skipped (i32.ge_u (local.get $field) (local.get $skip)))
            (loop $skip_byte
              (local.set $d (i32.load8_u (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              ;; '"', LF and CR: a record for the JavaScript paths.
              (br_if $records_done
                (i32.or (i32.eq (local.get $d) (i32.const 34))
                  (i32.or (i32.eq (local.get $d) (i32.const 10)) (i32.eq (local.get $d) (i32.const 13)))))
              (br_if $skip_byte (i32.ne (local.get $d) (i32.const 44))))
            (local.set $field (i32.add (local.get $field) (i32.const 1)))
            (br $skip_field)))
        ;; The label: 1 to 9 digits, below numClasses, then a comma.
        (local.set $label (i32.const 0))
        (local.set $start (local.get $p))
        (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (block $label_done
          (loop $label_digit
            (br_if $label_done (i32.gt_u (local.get $d) (i32.const 9)))
            (local.set $label (i32.add (i32.mul (local.get $label) (i32.const 10)) (local.get $d)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
            (br_if $label_done (i32.gt_u (i32.sub (local.get $p) (local.get $start)) (i32.const 9)))
            (br $label_digit)))
        ;; ',' − '0' = −4
        (br_if $records_done (i32.ne (local.get $d) (i32.const -4)))
        (br_if $records_done (i32.eq (local.get $p) (local.get $start)))
        (br_if $records_done (i32.gt_u (i32.sub (local.get $p) (local.get $start)) (i32.const 9)))
        (br_if $records_done (i32.ge_u (local.get $label) (local.get $numClasses)))
        (local.set $j (i32.const 0))
        (block $scores_done
          (loop $score
            (br_if $scores_done (i32.ge_u (local.get $j) (local.get $width)))
            ;; At the comma before score j.
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            ;; The common shape, [-]d.d… (1 to 7 digits after the point) then ',' or a line end, from two 8-byte
            ;; loads and no branch per byte: the general path's chain of byte loads (each byte's address waits on
            ;; the one before) is most of its cost. The same mantissa and exponent as the general path, so the same
            ;; double; any other shape takes the general path from the same byte.
            (block $parsed
              (block $general
                (local.set $w0 (i64.load (local.get $p)))
                (local.set $w1 (i64.load offset=8 (local.get $p)))
                (local.set $negative (i64.eq (i64.and (local.get $w0) (i64.const 0xff)) (i64.const 45)))
                ;; After a '-', the window starts one byte later.
                (local.set $w0
                  (select
                    (i64.or (i64.shr_u (local.get $w0) (i64.const 8)) (i64.shl (local.get $w1) (i64.const 56)))
                    (local.get $w0)
                    (local.get $negative)))
                (local.set $w1 (select (i64.shr_u (local.get $w1) (i64.const 8)) (local.get $w1) (local.get $negative)))
                ;; One digit, then '.'.
                (local.set $d (i32.sub (i32.wrap_i64 (i64.and (local.get $w0) (i64.const 0xff))) (i32.const 48)))
                (br_if $general (i32.gt_u (local.get $d) (i32.const 9)))
                (br_if $general
                  (i64.ne (i64.and (i64.shr_u (local.get $w0) (i64.const 8)) (i64.const 0xff)) (i64.const 46)))
                ;; The eight bytes after the point, ^ '0': n digits (as in the general path's fraction), then the end.
                (local.set $x
                  (i64.xor
                    (i64.or (i64.shr_u (local.get $w0) (i64.const 16)) (i64.shl (local.get $w1) (i64.const 48)))
                    (i64.const 0x3030303030303030)))
                (local.set $n
                  (i32.wrap_i64
                    (i64.shr_u
                      (i64.ctz
                        (i64.and
                          (i64.or
                            (i64.add (i64.and (local.get $x) (i64.const 0x7f7f7f7f7f7f7f7f)) (i64.const 0x7676767676767676))
                            (local.get $x))
                          (i64.const 0x8080808080808080)))
                      (i64.const 3))))
                (br_if $general (i32.eqz (local.get $n)))
                ;; Eight digits and more: the long shape, [-]d. and 9 to 18 digits (what repr and %.17g write:
                ;; -2.1724387337015716, 0.97815195315838999), from three more 8-byte loads at fixed places.
                (if (i32.eq (local.get $n) (i32.const 8))
                  (then
                    ;; $q: the byte after the first eight digits of the fraction.
                    (local.set $q (i32.add (local.get $p) (i32.add (local.get $negative) (i32.const 10))))
                    ;; The first eight digits as one number (fast_float's three multiplies).
                    (local.set $x
                      (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x0f0f0f0f0f0f0f0f)) (i64.const 2561)) (i64.const 8)))
                    (local.set $x
                      (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x00ff00ff00ff00ff)) (i64.const 6553601)) (i64.const 16)))
                    (local.set $x
                      (i64.shr_u
                        (i64.mul (i64.and (local.get $x) (i64.const 0x0000ffff0000ffff)) (i64.const 42949672960001))
                        (i64.const 32)))
                    (local.set $mantissa
                      (i64.add (i64.mul (i64.extend_i32_u (local.get $d)) (i64.const 100000000)) (local.get $x)))
                    ;; The next eight bytes: n2 more digits.
                    (local.set $x2 (i64.xor (i64.load (local.get $q)) (i64.const 0x3030303030303030)))
                    (local.set $n2
                      (i32.wrap_i64
                        (i64.shr_u
                          (i64.ctz
                            (i64.and
                              (i64.or
                                (i64.add (i64.and (local.get $x2) (i64.const 0x7f7f7f7f7f7f7f7f)) (i64.const 0x7676767676767676))
                                (local.get $x2))
                              (i64.const 0x8080808080808080)))
                          (i64.const 3))))
                    (local.set $n3 (i32.const 0))
                    (if (i32.eq (local.get $n2) (i32.const 8))
                      (then
                        ;; Up to two more (18 in all: d · 10^18 + … < 10^19 < 2^64), read a byte at a time.
                        (local.set $c (i32.sub (i32.load8_u offset=8 (local.get $q)) (i32.const 48)))
                        (if (i32.le_u (local.get $c) (i32.const 9))
                          (then
                            (local.set $n3 (i32.const 1))
                            (local.set $e (i32.sub (i32.load8_u offset=9 (local.get $q)) (i32.const 48)))
                            (if (i32.le_u (local.get $e) (i32.const 9))
                              (then
                                (local.set $n3 (i32.const 2))
                                (local.set $c (i32.add (i32.mul (local.get $c) (i32.const 10)) (local.get $e)))
                                (br_if $general
                                  (i32.le_u (i32.sub (i32.load8_u offset=10 (local.get $q)) (i32.const 48)) (i32.const 9)))))))))
                    ;; The byte after the digits: an exponent (numpy's %.18e: 9.781519531583899034e-01), then ',', LF
                    ;; or CR (anything else: the general path).
                    (local.set $at (i32.add (local.get $q) (i32.add (local.get $n2) (local.get $n3))))
                    (local.set $e (i32.load8_u (local.get $at)))
                    (local.set $ex (i32.const 0))
                    (if (i32.eq (i32.or (local.get $e) (i32.const 32)) (i32.const 101))
                      (then
                        (local.set $ex (call $exponent (local.get $at)))
                        (br_if $general (i32.eq (local.get $ex) (i32.const 1000)))
                        (local.set $at (global.get $suffixEnd))
                        (local.set $e (i32.load8_u (local.get $at)))))
                    (br_if $general
                      (i32.eqz (i32.or (i32.eq (local.get $e) (i32.const 44))
                        (i32.or (i32.eq (local.get $e) (i32.const 10)) (i32.eq (local.get $e) (i32.const 13))))))
                    (if (local.get $n2)
                      (then
                        (local.set $x2
                          (i64.shl (local.get $x2) (i64.extend_i32_u (i32.sub (i32.const 64) (i32.shl (local.get $n2) (i32.const 3))))))
                        (local.set $x2
                          (i64.shr_u (i64.mul (i64.and (local.get $x2) (i64.const 0x0f0f0f0f0f0f0f0f)) (i64.const 2561)) (i64.const 8)))
                        (local.set $x2
                          (i64.shr_u (i64.mul (i64.and (local.get $x2) (i64.const 0x00ff00ff00ff00ff)) (i64.const 6553601)) (i64.const 16)))
                        (local.set $x2
                          (i64.shr_u
                            (i64.mul (i64.and (local.get $x2) (i64.const 0x0000ffff0000ffff)) (i64.const 42949672960001))
                            (i64.const 32)))
                        (local.set $mantissa
                          (i64.add
                            (i64.mul (local.get $mantissa)
                              (i64.load (i32.add (local.get $pow10i) (i32.shl (local.get $n2) (i32.const 3)))))
                            (local.get $x2)))))
                    (if (local.get $n3)
                      (then
                        (local.set $mantissa
                          (i64.add
                            (i64.mul (local.get $mantissa)
                              (i64.load (i32.add (local.get $pow10i) (i32.shl (local.get $n3) (i32.const 3)))))
                            (i64.extend_i32_u (local.get $c))))))
                    ;; n fraction digits: mantissa ÷ 10^n as the general path takes it — Clinger's one division
                    ;; below 10^15 (15 significant digits or fewer; leading zeros are no digits of the mantissa),
                    ;; else $long_decimal, and a NaN from it leaves the record to JavaScript.
                    ;; The power of ten: the exponent less the digits after the point; past 10^±22, the general path.
                    (local.set $ex (i32.sub (local.get $ex) (i32.add (i32.const 8) (i32.add (local.get $n2) (local.get $n3)))))
                    (br_if $general (i32.gt_u (i32.add (local.get $ex) (i32.const 22)) (i32.const 44)))
                    (if (i64.lt_u (local.get $mantissa) (i64.const 1000000000000000))
                      (then (local.set $value (call $clinger (local.get $mantissa) (local.get $ex) (local.get $pow10))))
                      (else
                        (local.set $value (call $long_decimal (local.get $mantissa) (local.get $ex) (local.get $pow10)))
                        (br_if $records_done (f64.ne (local.get $value) (local.get $value)))))
                    (local.set $p (local.get $at))
                    (local.set $d (i32.sub (local.get $e) (i32.const 48)))
                    (br $parsed)))
                ;; The byte after the digits: an exponent (C's %e: -9.781520e-01), then ',', LF or CR (anything
                ;; else: the general path). $at: the byte after the exponent, or 0 without one.
                (local.set $c
                  (i32.xor
                    (i32.wrap_i64
                      (i64.and (i64.shr_u (local.get $x) (i64.extend_i32_u (i32.shl (local.get $n) (i32.const 3)))) (i64.const 0xff)))
                    (i32.const 48)))
                (local.set $at (i32.const 0))
                (if (i32.eq (i32.or (local.get $c) (i32.const 32)) (i32.const 101))
                  (then
                    (local.set $ex
                      (call $exponent
                        (i32.add (local.get $p) (i32.add (local.get $negative) (i32.add (local.get $n) (i32.const 2))))))
                    (br_if $general (i32.eq (local.get $ex) (i32.const 1000)))
                    ;; The power of ten: the exponent less the digits after the point; past 10^±22, the general path.
                    (local.set $ex (i32.sub (local.get $ex) (local.get $n)))
                    (br_if $general (i32.gt_u (i32.add (local.get $ex) (i32.const 22)) (i32.const 44)))
                    (local.set $at (global.get $suffixEnd))
                    (local.set $c (i32.load8_u (local.get $at)))))
                (br_if $general
                  (i32.eqz
                    (i32.or (i32.eq (local.get $c) (i32.const 44))
                      (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13))))))
                ;; The n digits as one number (the general path's fraction loop, the same steps).
                (local.set $x (i64.shl (local.get $x) (i64.extend_i32_u (i32.sub (i32.const 64) (i32.shl (local.get $n) (i32.const 3))))))
                (local.set $x
                  (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x0f0f0f0f0f0f0f0f)) (i64.const 2561)) (i64.const 8)))
                (local.set $x
                  (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x00ff00ff00ff00ff)) (i64.const 6553601)) (i64.const 16)))
                (local.set $x
                  (i64.shr_u
                    (i64.mul (i64.and (local.get $x) (i64.const 0x0000ffff0000ffff)) (i64.const 42949672960001))
                    (i64.const 32)))
                (local.set $mantissa
                  (i64.add
                    (i64.mul (i64.extend_i32_u (local.get $d))
                      (i64.load (i32.add (local.get $pow10i) (i32.shl (local.get $n) (i32.const 3)))))
                    (local.get $x)))
                (if (i32.eqz (local.get $at))
                  (then
                    ;; mantissa ÷ 10^n, as the general path divides for e = −n.
                    (local.set $value
                      (f64.div (f64.convert_i64_u (local.get $mantissa))
                        (f64.load (i32.add (local.get $pow10) (i32.shl (local.get $n) (i32.const 3))))))
                    (local.set $p (i32.add (local.get $p) (i32.add (local.get $negative) (i32.add (local.get $n) (i32.const 2))))))
                  (else
                    (local.set $value (call $clinger (local.get $mantissa) (local.get $ex) (local.get $pow10)))
                    (local.set $p (local.get $at))))
                (local.set $d (i32.sub (local.get $c) (i32.const 48)))
                (br $parsed))
                (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                ;; '-' − '0' = −3, '+' − '0' = −5: no branch (the sign of a logit is a coin toss, and a mispredicted
                ;; branch cost more than these few operations).
                (local.set $negative (i32.eq (local.get $d) (i32.const -3)))
                (local.set $p
                  (i32.add (local.get $p) (i32.or (local.get $negative) (i32.eq (local.get $d) (i32.const -5)))))
                (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                ;; Every digit goes into the mantissa, leading zeros too (as the JavaScript loop counts them).
                (local.set $mantissa (i64.const 0))
                (local.set $start (local.get $p))
                ;; The integer part a byte at a time (it is mostly one digit), the fraction eight bytes at a time.
                (block $int_done
                  (loop $int_digit
                    (br_if $int_done (i32.gt_u (local.get $d) (i32.const 9)))
                    (local.set $mantissa
                      (i64.add (i64.mul (local.get $mantissa) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                    (br $int_digit)))
                (local.set $digits (i32.sub (local.get $p) (local.get $start)))
                ;; Leading zeros (an integer part of zeros, then the fraction's): digits that leave the mantissa
                ;; 0, counted apart so that the limits below count significant digits (0.00012345678901234567,
                ;; repr's 17 digits, is 21 digits but 17 significant).
                (local.set $zeros (select (local.get $digits) (i32.const 0) (i64.eqz (local.get $mantissa))))
                (local.set $fraction (i32.const 0))
                ;; '.' − '0' = −2
                (if (i32.eq (local.get $d) (i32.const -2))
                  (then
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (local.set $start (local.get $p))
                    (if (i64.eqz (local.get $mantissa))
                      (then
                        (block $zeros_done
                          (loop $zero
                            (br_if $zeros_done (i32.ne (i32.load8_u (local.get $p)) (i32.const 48)))
                            (local.set $p (i32.add (local.get $p) (i32.const 1)))
                            (br $zero)))
                        (local.set $zeros (i32.add (local.get $zeros) (i32.sub (local.get $p) (local.get $start))))))
                    (block $fraction_done
                      (loop $fraction_eight
                        ;; Eight bytes at once: x = byte ^ '0' (a digit is 0–9), the run's length n = the first byte that
                        ;; is no digit (high bit of (x & 0x7f) + 0x76, or of x itself); its n digits as one number by the
                        ;; three multiplies of fast_float's parse_eight_digits_unrolled, aligned to the top (leading zeros).
                        (local.set $x (i64.xor (i64.load (local.get $p)) (i64.const 0x3030303030303030)))
                        (local.set $n
                          (i32.wrap_i64
                            (i64.shr_u
                              (i64.ctz
                                (i64.and
                                  (i64.or
                                    (i64.add (i64.and (local.get $x) (i64.const 0x7f7f7f7f7f7f7f7f)) (i64.const 0x7676767676767676))
                                    (local.get $x))
                                  (i64.const 0x8080808080808080)))
                              (i64.const 3))))
                        (br_if $fraction_done (i32.eqz (local.get $n)))
                        (local.set $x (i64.shl (local.get $x) (i64.extend_i32_u (i32.sub (i32.const 64) (i32.shl (local.get $n) (i32.const 3))))))
                        (local.set $x
                          (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x0f0f0f0f0f0f0f0f)) (i64.const 2561)) (i64.const 8)))
                        (local.set $x
                          (i64.shr_u (i64.mul (i64.and (local.get $x) (i64.const 0x00ff00ff00ff00ff)) (i64.const 6553601)) (i64.const 16)))
                        (local.set $x
                          (i64.shr_u
                            (i64.mul (i64.and (local.get $x) (i64.const 0x0000ffff0000ffff)) (i64.const 42949672960001))
                            (i64.const 32)))
                        (local.set $mantissa
                          (i64.add
                            (i64.mul (local.get $mantissa)
                              (i64.load (i32.add (local.get $pow10i) (i32.shl (local.get $n) (i32.const 3)))))
                            (local.get $x)))
                        (local.set $p (i32.add (local.get $p) (local.get $n)))
                        (br_if $fraction_eight (i32.eq (local.get $n) (i32.const 8)))))
                    (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                    (local.set $fraction (i32.sub (local.get $p) (local.get $start)))
                    (local.set $digits (i32.add (local.get $digits) (local.get $fraction)))))
                (local.set $e (i32.sub (i32.const 0) (local.get $fraction)))
                ;; 'e' − '0' = 53, 'E' − '0' = 21: at most 4 exponent digits, at least one.
                (if (i32.or (i32.eq (local.get $d) (i32.const 53)) (i32.eq (local.get $d) (i32.const 21)))
                  (then
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (local.set $c (i32.load8_u (local.get $p)))
                    (local.set $expNegative (i32.const 0))
                    (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
                      (then
                        (local.set $expNegative (i32.eq (local.get $c) (i32.const 45)))
                        (local.set $p (i32.add (local.get $p) (i32.const 1)))
                        (local.set $c (i32.load8_u (local.get $p)))))
                    (local.set $exponent (i32.const 0))
                    (local.set $start (local.get $p))
                    (block $exp_done
                      (loop $exp_digit
                        (br_if $exp_done (i32.gt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 9)))
                        (br_if $exp_done (i32.ge_u (i32.sub (local.get $p) (local.get $start)) (i32.const 4)))
                        (local.set $exponent
                          (i32.add (i32.mul (local.get $exponent) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
                        (local.set $p (i32.add (local.get $p) (i32.const 1)))
                        (local.set $c (i32.load8_u (local.get $p)))
                        (br $exp_digit)))
                    (br_if $records_done (i32.eq (local.get $p) (local.get $start)))
                    (local.set $e
                      (i32.add (local.get $e)
                        (select (i32.sub (i32.const 0) (local.get $exponent)) (local.get $exponent) (local.get $expNegative))))
                    (local.set $d (i32.sub (local.get $c) (i32.const 48)))))
                (br_if $records_done (i32.eqz (local.get $digits)))
                ;; 16 to 19 significant digits (what repr and %.17g write): long-decimal.ts's exact form,
                ;; $long_decimal. Past 19, or too near a midpoint for it (NaN), the JavaScript path's.
                (local.set $digits (i32.sub (local.get $digits) (local.get $zeros)))
                (br_if $records_done (i32.gt_u (local.get $digits) (i32.const 19)))
                ;; Past 10^±22 (probabilities as repr writes them: 6.618758648525413e-15), $scaled_decimal, any
                ;; number of digits up to 19, within 10^±280.
                (if (i32.gt_u (i32.add (local.get $e) (i32.const 22)) (i32.const 44))
                  (then
                    (br_if $records_done (i32.gt_u (i32.add (local.get $e) (i32.const 280)) (i32.const 560)))
                    (if (i32.eqz (local.get $pow10pairs))
                      (then
                        (global.set $needPairs (i32.const 1))
                        (br $records_done)))
                    (local.set $value (call $scaled_decimal (local.get $mantissa) (local.get $e) (local.get $pow10pairs)))
                    (br_if $records_done (f64.ne (local.get $value) (local.get $value)))
                    (br $parsed)))
                (if (i32.gt_u (local.get $digits) (i32.const 15))
                  (then
                    (br_if $records_done (i32.gt_u (local.get $digits) (i32.const 19)))
                    (br_if $records_done (i32.gt_s (local.get $e) (i32.const 22)))
                    (br_if $records_done (i32.lt_s (local.get $e) (i32.const -22)))
                    (local.set $value (call $long_decimal (local.get $mantissa) (local.get $e) (local.get $pow10)))
                    (br_if $records_done (f64.ne (local.get $value) (local.get $value)))
                    (br $parsed)))
                ;; mantissa × 10^e in one correctly rounded operation (Clinger 1990), |e| ≤ 22.
                (local.set $value (f64.convert_i64_u (local.get $mantissa)))
                (if (i32.lt_s (local.get $e) (i32.const 0))
                  (then
                    (br_if $records_done (i32.lt_s (local.get $e) (i32.const -22)))
                    (local.set $value
                      (f64.div (local.get $value)
                        (f64.load (i32.add (local.get $pow10) (i32.shl (i32.sub (i32.const 0) (local.get $e)) (i32.const 3)))))))
                  (else
                    (if (i32.gt_s (local.get $e) (i32.const 0))
                      (then
                        (br_if $records_done (i32.gt_s (local.get $e) (i32.const 22)))
                        (local.set $value
                          (f64.mul (local.get $value)
                            (f64.load (i32.add (local.get $pow10) (i32.shl (local.get $e) (i32.const 3))))))))))
            )
            (f64.store (local.get $out)
              (select (f64.neg (local.get $value)) (local.get $value) (local.get $negative)))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            ;; A comma between scores.
            (br_if $records_done
              (i32.and (i32.lt_u (local.get $j) (local.get $width)) (i32.ne (local.get $d) (i32.const -4))))
            (br $score)))
        ;; The line end: LF (−38) or CRLF (CR − '0' = −35).
        (if (i32.eq (local.get $d) (i32.const -38))
          (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
          (else
            (br_if $records_done (i32.ne (local.get $d) (i32.const -35)))
            (br_if $records_done (i32.ne (i32.load8_u (i32.add (local.get $p) (i32.const 1))) (i32.const 10)))
            (local.set $p (i32.add (local.get $p) (i32.const 2)))))
        (i32.store (i32.add (local.get $labels) (i32.shl (local.get $row) (i32.const 2))) (local.get $label))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (local.set $pos (local.get $p))
        (br $records)))
    ;; A record left part-way leaves its scores written: the next call or the JavaScript path writes them again.
    (global.set $stop (local.get $pos))
    (local.get $row))
)
