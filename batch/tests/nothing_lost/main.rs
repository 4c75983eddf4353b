//! Nothing lost under real conditions: runs at once and runs killed into one output
//! directory, inputs that change between two reads, and the files Japanese offices produce.

mod common;
mod concurrency;
mod ids;
mod join;
mod office;
mod workbooks;
