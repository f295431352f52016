// world.h - builds scheduler worlds from short text for the tests. Filled in by the scheduler work.
#pragma once
