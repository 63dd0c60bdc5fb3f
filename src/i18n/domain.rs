//! The words for the domain's typed results: the seven rights' failures,
//! the pharmacist's findings, the stock warnings, the plan's exceptions.
