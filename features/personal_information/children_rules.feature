@CSW-PRI-1
Feature: Rules made for children's personal information
  The watch and the guardian's app show rules written for children: what is
  collected, what it is used for, and what the guardian can do about it. A
  maker's generic privacy policy does not count.

  Scenario Outline: The rules are shown to <reader>
    Given a watch bound to its guardian
    When <reader> opens the rules for children's personal information
    Then the rules are written for children
    And the rules say what is collected, for what purpose, and what the guardian can do

    Examples:
      | reader       |
      | the guardian |
      | the child    |
