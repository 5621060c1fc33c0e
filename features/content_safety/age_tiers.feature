@CSW-CON-3
Feature: Content is tiered by age band
  Each item of the pool says from which age it is suitable. A child sees only
  items suitable for the child's age, including items the editors add later.

  Scenario Outline: A child sees no item meant for older children
    Given the child is in age band "<band>"
    When the editors publish items for children older than the band
    Then the child's feed holds items, and none for children older than the child

    Examples:
      | band     |
      | age-3-7  |
      | age-8-13 |
